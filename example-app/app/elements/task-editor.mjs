// Editing one task: its title and whether it is done.
import { escapeHtml } from '../../lib/html.mjs'

export default function TaskEditor({ html, state }) {
  const { task, values = {}, problems = {}, titleMax = 80 } = state.store
  if (!task) return html`<p>No task.</p>`
  const id = escapeHtml(task.id)
  const title = values.title ?? task.title
  const done = values.done ?? task.done
  const problem = problems.title ?? ''
  return html`
    <p><a href="/tasks">← Back to the board</a></p>
    <h1 class="task-heading">${escapeHtml(task.title)}</h1>
    <form method="post" action="/tasks/${id}" class="edit-task card" novalidate>
      <div class="field">
        <label for="title">Title</label>
        <input id="title" name="title" type="text" autocomplete="off" maxlength="${String(titleMax + 20)}"
          value="${escapeHtml(title)}" aria-describedby="title-problem" ${problem ? 'aria-invalid="true" autofocus' : ''}>
        <p class="problem" id="title-problem" data-problem-for="title" ${problem ? '' : 'hidden'}>${escapeHtml(problem)}</p>
      </div>
      <div class="field">
        <label class="checkbox"><input type="checkbox" name="done" ${done ? 'checked' : ''}> Done</label>
      </div>
      <button type="submit">Save</button>
      <p role="status"></p>
    </form>
    <script type="module">
      import { announce, onSubmit, sendForm, showProblems } from '/_public/forms.mjs'

      class TaskEditor extends HTMLElement {
        connectedCallback() {
          const form = this.querySelector('form.edit-task')
          if (!form) return
          onSubmit(form, async () => {
            const { status, json } = await sendForm(form, { method: 'PATCH' })
            if (status === 422) {
              showProblems(form, json.problems)
              announce(this, '')
            } else if (status === 200) {
              showProblems(form, {})
              this.querySelector('.task-heading').textContent = json.task.title
              document.title = json.task.title + ': Task board'
              announce(this, 'Saved')
            } else if (status !== 401) {
              throw new Error('saving answered ' + status)
            }
          })
          document.addEventListener('taskboard:logged-out', () => {
            const note = document.createElement('p')
            note.className = 'card logged-out'
            note.innerHTML = 'You are logged out. <a href="/login">Log in</a> to see your tasks.'
            this.replaceChildren(note)
          })
        }
      }
      customElements.define('task-editor', TaskEditor)
    </script>
  `
}
