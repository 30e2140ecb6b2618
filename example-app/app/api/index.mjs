import { list } from '../notes.mjs'

export const get = () => ({ json: { notes: list() } })
