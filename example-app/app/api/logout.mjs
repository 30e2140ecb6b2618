// Logging out ends the session ({} clears the cookie).
export function post() {
  return { session: {}, json: { user: null }, location: '/' }
}
