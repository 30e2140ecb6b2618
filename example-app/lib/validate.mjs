// Validation of the forms' fields. Each returns { values, problems }: the cleaned
// values, and one message per field that is wrong (empty when all is well).

export const TITLE_MAX = 80

const text = (value) => (typeof value === 'string' ? value.trim() : '')

export function taskFields(body) {
  const values = { title: text(body.title), done: body.done === true || body.done === 'on' || body.done === 'true' }
  const problems = {}
  if (values.title === '') problems.title = 'Write a title for the task'
  else if (values.title.length > TITLE_MAX) problems.title = `Keep the title under ${TITLE_MAX + 1} characters`
  return { values, problems }
}

export function loginFields(body) {
  const values = { name: text(body.name), password: typeof body.password === 'string' ? body.password : '' }
  const problems = {}
  if (values.name === '') problems.name = 'Enter your user name'
  else if (values.name.length > 40) problems.name = 'User names have at most 40 characters'
  if (values.password === '') problems.password = 'Enter your password'
  return { values, problems }
}

export const hasProblems = (problems) => Object.keys(problems).length > 0
