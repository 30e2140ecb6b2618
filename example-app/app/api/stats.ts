// Moved from the legacy app (see legacy/stats.mjs): same URL, same answers.
// The one TypeScript route: the app runs under tsx (node --import tsx server.mjs).
import type { EnhanceApiReq, EnhanceApiRes } from 'express-enhance-routes'
import { countAll } from '../../lib/db.mjs'

interface Stats {
  users: number
  tasks: number
  done: number
}

export async function get(request: EnhanceApiReq): Promise<EnhanceApiRes<Stats>> {
  const stats: Stats = await countAll({ signal: request.signal })
  return { json: stats }
}
