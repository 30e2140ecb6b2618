// The board: the form that adds a task (with its problems) and the list of tasks.
// Without JavaScript the forms POST (303 back here, or this page again with a 422);
// with it, the script below sends them with fetch and updates the list in place.
import { escapeHtml } from '../../lib/html.mjs'

function row(task) {
  const id = escapeHtml(task.id)
  const title = escapeHtml(task.title)
  return `<li class="task${task.done ? ' done' : ''}" id="task-${id}" data-id="${id}">
    <a class="task-title" href="/tasks/${id}">${title}</a>
    <form method="post" action="/tasks/${id}/delete" class="delete-task">
      <button type="submit" class="danger" aria-label="Delete ${title}">Delete</button>
    </form>
  </li>`
}

export default function TaskBoard({ html, state }) {
  const { tasks = [], values = {}, problems = {}, titleMax = 80 } = state.store
  const problem = problems.title ?? ''
  return html`
    <h1>Your tasks</h1>
    <form method="post" action="/tasks" class="add-task card" novalidate>
      <div class="row">
        <div class="field">
          <label for="new-title">New task</label>
          <input id="new-title" name="title" type="text" autocomplete="off" maxlength="${String(titleMax + 20)}"
            value="${escapeHtml(values.title ?? '')}" aria-describedby="new-title-problem"
            ${problem ? 'aria-invalid="true" autofocus' : ''}>
          <p class="problem" id="new-title-problem" data-problem-for="title" ${problem ? '' : 'hidden'}>${escapeHtml(problem)}</p>
        </div>
        <button type="submit" class="add">Add</button>
      </div>
      <p role="status"></p>
    </form>
    <p class="empty" ${tasks.length ? 'hidden' : ''}>No tasks yet. Add one above.</p>
    <ul class="tasks">${tasks.map(row).join('')}</ul>
    <script type="module">
      import { announce, onSubmit, sendForm, showProblems } from '/_public/forms.mjs'

      class TaskBoard extends HTMLElement {
        connectedCallback() {
          this.list = this.querySelector('ul.tasks')
          const add = this.querySelector('form.add-task')
          onSubmit(add, async () => {
            const { status, json } = await sendForm(add)
            if (status === 422) {
              showProblems(add, json.problems)
              announce(this, '')
            } else if (status === 201) {
              showProblems(add, {})
              add.reset()
              this.list.append(this.row(json.task))
              this.update()
              announce(this, 'Added “' + json.task.title + '”')
            } else if (status !== 401) {
              throw new Error('adding answered ' + status)
            }
          })
          for (const form of this.querySelectorAll('form.delete-task')) this.enhanceDelete(form)
          document.addEventListener('taskboard:logged-out', () => {
            const note = document.createElement('p')
            note.className = 'card logged-out'
            note.innerHTML = 'You are logged out. <a href="/login">Log in</a> to see your tasks.'
            this.replaceChildren(note)
          })
        }

        enhanceDelete(form) {
          const item = form.closest('li')
          onSubmit(form, async () => {
            const { status } = await sendForm(form, { method: 'DELETE', action: '/tasks/' + item.dataset.id })
            if (status !== 200 && status !== 404) throw new Error('deleting answered ' + status)
            const title = item.querySelector('.task-title').textContent
            item.remove()
            this.update()
            announce(this, 'Deleted “' + title + '”')
          })
        }

        row(task) {
          const item = document.createElement('li')
          item.className = 'task' + (task.done ? ' done' : '')
          item.id = 'task-' + task.id
          item.dataset.id = task.id
          const link = document.createElement('a')
          link.className = 'task-title'
          link.href = '/tasks/' + task.id
          link.textContent = task.title
          const form = document.createElement('form')
          form.method = 'post'
          form.action = '/tasks/' + task.id + '/delete'
          form.className = 'delete-task'
          const button = document.createElement('button')
          button.type = 'submit'
          button.className = 'danger'
          button.textContent = 'Delete'
          button.setAttribute('aria-label', 'Delete ' + task.title)
          form.append(button)
          item.append(link, form)
          this.enhanceDelete(form)
          return item
        }

        update() {
          this.querySelector('.empty').hidden = this.list.children.length > 0
        }
      }
      customElements.define('task-board', TaskBoard)
    </script>
  `
}
