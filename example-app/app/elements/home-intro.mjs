// The home page's text, for a visitor or a logged-in user.
import { escapeHtml } from '../../lib/html.mjs'

export default function HomeIntro({ html, state }) {
  const user = state.store.user
  const next = user
    ? `<p class="greeting">Welcome back, <strong>${escapeHtml(user)}</strong>. <a href="/tasks">Go to your tasks</a>.</p>`
    : '<p class="greeting"><a href="/login">Log in</a> to see your tasks (try <code>demo</code> / <code>demo-password</code>).</p>'
  return html`
    <h1>Task board</h1>
    <p>A small task board: an Express app that serves its new pages with express-enhance-routes,
       beside its legacy routes. Every form works without JavaScript, and with it nothing reloads.</p>
    ${next}
    <ul>
      <li><a href="/holidays">Public holidays</a>, from a third-party API</li>
      <li><a href="/about">About</a>, a legacy EJS page</li>
      <li><a href="/stats">/stats</a>, JSON moved from a legacy handler to a TypeScript route</li>
    </ul>
    <script type="module">
      class HomeIntro extends HTMLElement {
        connectedCallback() {
          document.addEventListener('taskboard:logged-out', () => {
            const greeting = this.querySelector('.greeting')
            if (greeting) greeting.innerHTML = '<a href="/login">Log in</a> to see your tasks.'
          })
        }
      }
      customElements.define('home-intro', HomeIntro)
    </script>
  `
}
