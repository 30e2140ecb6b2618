import { find, remove } from '../../notes.mjs'

export function get({ params }) {
  const note = find(params.id)
  return note ? { json: { note } } : { statusCode: 404, json: { error: 'no such note' } }
}

export function destroy({ params }) {
  return remove(params.id) ? { json: { deleted: params.id }, location: '/notes' } : { statusCode: 404, json: {} }
}
