import { requireUser, wantsJson } from '../../../lib/auth.mjs'
import { createTask, listTasks } from '../../../lib/db.mjs'
import { hasProblems, TITLE_MAX, taskFields } from '../../../lib/validate.mjs'

export const get = [
  requireUser,
  async ({ user, signal }) => ({
    json: { user, tasks: await listTasks(user, { signal }), titleMax: TITLE_MAX, values: {}, problems: {} },
  }),
]

export const post = [
  requireUser,
  async (request) => {
    const { user, body, signal } = request
    const { values, problems } = taskFields(body)
    if (hasProblems(problems)) {
      // JSON clients get the problems; a browser form gets the page again, with them.
      const tasks = wantsJson(request) ? undefined : await listTasks(user, { signal })
      return { statusCode: 422, json: { user, tasks, titleMax: TITLE_MAX, values, problems } }
    }
    const task = await createTask(user, values, { signal })
    return { statusCode: 201, json: { task }, location: '/tasks' }
  },
]
