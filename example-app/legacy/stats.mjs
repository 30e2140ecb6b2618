// The handler /stats had before it moved to app/api/stats.ts. It is no longer
// mounted; it stays here until the migration is signed off, because the tests
// check that the new route gives the same answers as this one.
import { countAll } from '../lib/db.mjs'

export async function legacyStats(_req, res, next) {
  try {
    res.json(await countAll())
  } catch (error) {
    next(error)
  }
}
