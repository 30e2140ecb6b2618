// The country form of the holidays pages (a GET form) and the holidays it found.
// Without JavaScript it navigates to /holidays/XX; with it, the list is fetched as JSON.
import { escapeHtml } from '../../lib/html.mjs'

function results({ country, holidays, error }) {
  if (error) {
    return `<div class="error-box" role="alert"><h2>No holidays for ${escapeHtml(country)} right now</h2>
      <p class="error-message">${escapeHtml(error.message)}</p></div>`
  }
  if (!holidays) return ''
  if (holidays.length === 0) return `<p>No public holidays ahead in ${escapeHtml(country)}.</p>`
  const rows = holidays
    .map((h) => `<tr><td>${escapeHtml(h.date)}</td><td>${escapeHtml(h.localName)}</td><td>${escapeHtml(h.name)}</td></tr>`)
    .join('')
  return `<h2>Next public holidays in ${escapeHtml(country)}</h2>
    <table class="holidays"><thead><tr><th>Date</th><th>Local name</th><th>Name</th></tr></thead><tbody>${rows}</tbody></table>`
}

export default function HolidayFinder({ html, state }) {
  const { country = '', problems = {} } = state.store
  const problem = problems.country ?? ''
  return html`
    <h1>Public holidays</h1>
    <form method="get" action="/holidays" class="find-holidays card" novalidate>
      <div class="row">
        <div class="field">
          <label for="country">Country code</label>
          <input id="country" name="country" type="text" maxlength="10" value="${escapeHtml(country)}" placeholder="GB"
            aria-describedby="country-problem" ${problem ? 'aria-invalid="true"' : ''}>
          <p class="problem" id="country-problem" data-problem-for="country" ${problem ? '' : 'hidden'}>${escapeHtml(problem)}</p>
        </div>
        <button type="submit">Show</button>
      </div>
      <p class="hint">From <a href="https://date.nager.at">Nager.Date</a>, a public API.</p>
    </form>
    <section class="results" aria-live="polite">${results(state.store)}</section>
    <script type="module">
      import { onSubmit, showProblems } from '/_public/forms.mjs'

      class HolidayFinder extends HTMLElement {
        connectedCallback() {
          const form = this.querySelector('form.find-holidays')
          const results = this.querySelector('.results')
          onSubmit(form, async () => {
            const code = form.country.value.trim().toUpperCase()
            if (!/^[A-Z]{2}$/.test(code)) {
              showProblems(form, { country: 'Enter a two-letter country code, such as GB or FR' })
              return
            }
            showProblems(form, {})
            const response = await fetch('/holidays/' + code, { headers: { accept: 'application/json' } })
            const json = await response.json()
            results.replaceChildren()
            const heading = document.createElement('h2')
            if (json.error) {
              const box = document.createElement('div')
              box.className = 'error-box'
              box.setAttribute('role', 'alert')
              heading.textContent = 'No holidays for ' + code + ' right now'
              const message = document.createElement('p')
              message.className = 'error-message'
              message.textContent = json.error.message
              box.append(heading, message)
              results.append(box)
            } else {
              heading.textContent = 'Next public holidays in ' + code
              const table = document.createElement('table')
              table.className = 'holidays'
              table.createTHead().insertRow().append(...['Date', 'Local name', 'Name'].map((text) => {
                const th = document.createElement('th')
                th.textContent = text
                return th
              }))
              const body = table.createTBody()
              for (const h of json.holidays) {
                const tr = body.insertRow()
                for (const text of [h.date, h.localName, h.name]) tr.insertCell().textContent = text
              }
              results.append(heading, table)
            }
            history.pushState(null, '', '/holidays/' + code)
          })
        }
      }
      customElements.define('holiday-finder', HolidayFinder)
    </script>
  `
}
