// The login form, with the problems of the last try.
import { escapeHtml } from '../../lib/html.mjs'

export default function LoginForm({ html, state }) {
  const { next = '/tasks', values = {}, problems = {} } = state.store
  const field = (name, label, type, autocomplete) => {
    const problem = problems[name] ?? ''
    const value = type === 'password' ? '' : escapeHtml(values[name] ?? '')
    return `<div class="field">
      <label for="${name}">${label}</label>
      <input id="${name}" name="${name}" type="${type}" autocomplete="${autocomplete}" value="${value}"
        aria-describedby="${name}-problem" ${problem ? 'aria-invalid="true"' : ''}>
      <p class="problem" id="${name}-problem" data-problem-for="${name}" ${problem ? '' : 'hidden'}>${escapeHtml(problem)}</p>
    </div>`
  }
  const formProblem = problems.form ?? ''
  return html`
    <h1>Log in</h1>
    <form method="post" action="/login" class="login card" novalidate>
      <p class="problem" data-problem-for="form" role="alert" ${formProblem ? '' : 'hidden'}>${escapeHtml(formProblem)}</p>
      <input type="hidden" name="next" value="${escapeHtml(next)}">
      ${field('name', 'User name', 'text', 'username')}
      ${field('password', 'Password', 'password', 'current-password')}
      <button type="submit">Log in</button>
    </form>
    <script type="module">
      import { onSubmit, sendForm, showProblems } from '/_public/forms.mjs'

      class LoginForm extends HTMLElement {
        connectedCallback() {
          const form = this.querySelector('form.login')
          onSubmit(form, async () => {
            const { status, json } = await sendForm(form)
            if (status === 200) {
              // Logged in: the next page needs the user's data, so go there.
              window.location.assign(json.next || '/tasks')
            } else if (status === 422 || status === 401) {
              showProblems(form, json.problems)
            } else {
              throw new Error('login answered ' + status)
            }
          })
        }
      }
      customElements.define('login-form', LoginForm)
    </script>
  `
}
