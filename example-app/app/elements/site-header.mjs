// The header of every page: navigation, who is logged in, and the logout form.
import { escapeHtml } from '../../lib/html.mjs'

export default function SiteHeader({ html, state }) {
  const user = state.store.user
  const account = user
    ? `<span>Logged in as <strong class="user">${escapeHtml(user)}</strong></span>
       <form method="post" action="/logout" class="logout"><button type="submit" class="quiet">Log out</button></form>`
    : '<a href="/login" class="login">Log in</a>'
  return html`
    <header class="site-header">
      <a class="brand" href="/">Task board</a>
      <nav>
        <a href="/tasks">Tasks</a>
        <a href="/holidays">Holidays</a>
        <a href="/about">About</a>
      </nav>
      <div class="account">${account}</div>
    </header>
    <script type="module">
      import { onSubmit, sendForm } from '/_public/forms.mjs'

      class SiteHeader extends HTMLElement {
        connectedCallback() {
          const form = this.querySelector('form.logout')
          if (!form) return
          onSubmit(form, async () => {
            const { status } = await sendForm(form)
            if (status !== 200) throw new Error('logout answered ' + status)
            // Logged out: update the page in place, no reload.
            const login = document.createElement('a')
            login.href = '/login'
            login.className = 'login'
            login.textContent = 'Log in'
            this.querySelector('.account').replaceChildren(login)
            document.dispatchEvent(new CustomEvent('taskboard:logged-out'))
          })
        }
      }
      customElements.define('site-header', SiteHeader)
    </script>
  `
}
