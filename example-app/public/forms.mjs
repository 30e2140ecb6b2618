// Shared by the elements' scripts: submit a form with fetch (JSON in, JSON out) and
// show the problems the server names. Without JavaScript the same forms POST and
// the server answers 303 or re-renders the page, so this file is only an enhancement.

/** Sends a form's fields as JSON, asking for JSON. Resolves { status, json }; rejects when offline. */
export async function sendForm(form, { method = form.getAttribute('method') || 'GET', action = form.action } = {}) {
  const fields = Object.fromEntries(new FormData(form))
  const upper = method.toUpperCase()
  const response = await fetch(action, {
    method: upper,
    headers: { accept: 'application/json', ...(upper === 'GET' ? {} : { 'content-type': 'application/json' }) },
    body: upper === 'GET' ? undefined : JSON.stringify(fields),
    credentials: 'same-origin',
  })
  const json = await response.json().catch(() => ({}))
  if (response.status === 401 && !action.endsWith('/login')) {
    // The session ended elsewhere: log in again, then come back here.
    window.location.assign(`/login?next=${encodeURIComponent(window.location.pathname)}`)
  }
  return { status: response.status, json }
}

/** Shows each field's problem next to it (and a form-wide one in [data-problem-for="form"]). */
export function showProblems(form, problems = {}) {
  for (const slot of form.querySelectorAll('[data-problem-for]')) {
    const name = slot.dataset.problemFor
    const message = problems[name] ?? ''
    slot.textContent = message
    slot.hidden = message === ''
    const field = form.querySelector(`[name="${name}"]`)
    if (field && message) field.setAttribute('aria-invalid', 'true')
    else if (field) field.removeAttribute('aria-invalid')
  }
  const first = form.querySelector('[aria-invalid="true"]')
  if (first) first.focus()
}

/** Runs `enhanced` on submit instead of the browser's own submit; falls back to it when offline. */
export function onSubmit(form, enhanced) {
  form.addEventListener('submit', async (event) => {
    event.preventDefault()
    const button = form.querySelector('button[type="submit"], button:not([type])')
    if (button) button.disabled = true
    try {
      await enhanced(event)
    } catch (error) {
      console.error('enhanced submit failed, submitting the plain form', error)
      form.submit()
    } finally {
      if (button) button.disabled = false
    }
  })
}

/** Says something in a live region (role=status) of `root`. */
export function announce(root, message) {
  const status = root.querySelector('[role="status"]')
  if (status) status.textContent = message
}
