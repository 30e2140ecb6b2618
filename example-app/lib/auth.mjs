import { siteLocation } from 'express-enhance-routes'

// Sessions: the cookie holds only the user's name (signed by cookie-session), so
// any instance of the app can answer any request: the web tier keeps no state.

/** True when the client asked for JSON (the enhanced forms' fetch calls do). */
export const wantsJson = (request) => /\bjson\b/.test(String(request.headers.accept ?? ''))

/**
 * First link of a chain: lets logged-in users through (as `request.user`) and sends
 * everyone else to the login page, or a 401 to JSON clients.
 */
export function requireUser(request) {
  const user = request.session.user
  if (typeof user === 'string' && user !== '') {
    request.user = user
    return undefined
  }
  return {
    statusCode: 401,
    json: { error: { status: 401, message: 'Log in first' } },
    location: `/login?next=${encodeURIComponent(request.path)}`,
  }
}

/** Where to go after logging in: a path on this site that the client asked for, else /tasks. */
export const nextPage = (target) => siteLocation(target, '/tasks')
