import { nextPage } from '../../lib/auth.mjs'
import { checkPassword } from '../../lib/db.mjs'
import { hasProblems, loginFields } from '../../lib/validate.mjs'

export function get({ query, session }) {
  const next = nextPage(query.next)
  // Already logged in: nothing to do here.
  if (session.user) return { json: { user: session.user, next }, location: next }
  return { json: { user: null, next, values: {}, problems: {} } }
}

export async function post({ body, query, signal }) {
  const next = nextPage(body.next ?? query.next)
  const { values, problems } = loginFields(body)
  // The password is never sent back.
  const shown = { name: values.name }
  if (hasProblems(problems)) return { statusCode: 422, json: { user: null, next, values: shown, problems } }
  const user = await checkPassword(values.name, values.password, { signal })
  if (!user) {
    return { statusCode: 401, json: { user: null, next, values: shown, problems: { form: 'Wrong user name or password' } } }
  }
  return { session: { user }, json: { user, next }, location: next }
}
