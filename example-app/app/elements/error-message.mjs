// The body of the 404 and 500 pages: the error the store carries (lib/layout.mjs,
// shared with the app's own 404 and 500 in server.mjs).
import { errorBox } from '../../lib/layout.mjs'

export default function ErrorMessage({ html, state }) {
  return html`${errorBox(state.store.error)}`
}
