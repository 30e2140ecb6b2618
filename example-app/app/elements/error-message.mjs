// The body of the 404 and 500 pages: the error the store carries.
import { escapeHtml } from '../../lib/html.mjs'

export default function ErrorMessage({ html, state }) {
  const { status = 500, message = 'Something went wrong' } = state.store.error ?? {}
  const title = status === 404 ? 'Not found' : status >= 500 ? 'Something went wrong' : 'That did not work'
  return html`
    <div class="error-box" role="alert">
      <h1>${escapeHtml(title)} (${String(status)})</h1>
      <p class="error-message">${escapeHtml(message)}</p>
      <p><a href="/tasks">Back to your tasks</a></p>
    </div>
  `
}
