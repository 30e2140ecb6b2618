import { plainCopy, replaceInPlace, type SessionKeeper } from './data.js'

/**
 * Any other middleware's `req.session` object: we know nothing of how it is
 * kept, so its data is replaced in that same object, which the middleware
 * still holds.
 */
export const otherSession: SessionKeeper = {
  read: (req) => plainCopy(req.session),
  write(req, _res, next) {
    const session = req.session
    if (session && typeof session === 'object') replaceInPlace(session, next)
  },
}
