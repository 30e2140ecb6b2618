// Deleting from an HTML form (forms cannot send DELETE): POST /tasks/:id/delete.
import { destroy } from '../$id.mjs'

export const post = destroy
