import { add, list } from '../../notes.mjs'

export const get = () => ({ json: { notes: list() } })

export function post({ body }) {
  const text = typeof body.text === 'string' ? body.text.trim() : ''
  if (!text) return { statusCode: 422, json: { problems: { text: 'Write something' } } }
  const note = add(text)
  return { statusCode: 201, json: { note }, location: `/notes/${note.id}` }
}
