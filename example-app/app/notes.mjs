// An in-memory store for the example's notes.
const notes = new Map()
let next = 1

export const list = () => [...notes.values()]
export const find = (id) => notes.get(id)
export function add(text) {
  const note = { id: String(next++), text }
  notes.set(note.id, note)
  return note
}
export const remove = (id) => notes.delete(id)
