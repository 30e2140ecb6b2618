import { httpError } from 'express-enhance-routes'
import { requireUser } from '../../../lib/auth.mjs'
import { deleteTask, getTask, updateTask } from '../../../lib/db.mjs'
import { hasProblems, TITLE_MAX, taskFields } from '../../../lib/validate.mjs'

const notFound = (id) => httpError(404, `There is no task ${id} on your board`)

export const get = [
  requireUser,
  async ({ user, params, signal }) => {
    const task = await getTask(user, params.id, { signal })
    if (!task) throw notFound(params.id)
    return { json: { user, task, titleMax: TITLE_MAX, values: {}, problems: {} } }
  },
]

async function update({ user, params, body, signal }) {
  const task = await getTask(user, params.id, { signal })
  if (!task) throw notFound(params.id)
  const { values, problems } = taskFields(body)
  if (hasProblems(problems)) return { statusCode: 422, json: { user, task, titleMax: TITLE_MAX, values, problems } }
  const saved = await updateTask(user, params.id, values, { signal })
  if (!saved) throw notFound(params.id)
  return { json: { task: saved }, location: '/tasks' }
}

// An HTML form can only POST; scripts may PATCH or PUT the same fields.
export const post = [requireUser, update]
export const patch = [requireUser, update]
export const put = [requireUser, update]

export const destroy = [
  requireUser,
  async ({ user, params, signal }) => {
    if (!(await deleteTask(user, params.id, { signal }))) throw notFound(params.id)
    return { json: { deleted: params.id }, location: '/tasks' }
  },
]
