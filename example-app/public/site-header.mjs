// <site-header>: its logout form, sent with fetch and the header updated in place.
// Without JavaScript the same form POSTs to /logout and the server answers 303.
import { onSubmit, sendForm } from '/_public/forms.mjs'

class SiteHeader extends HTMLElement {
  connectedCallback() {
    const form = this.querySelector('form.logout')
    if (!form) return
    onSubmit(form, async () => {
      const { status } = await sendForm(form)
      if (status !== 200) throw new Error(`logout answered ${status}`)
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
if (!customElements.get('site-header')) customElements.define('site-header', SiteHeader)
