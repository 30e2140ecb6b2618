// The one third-party API the app calls: public holidays from Nager.Date
// (https://date.nager.at, no key needed). HOLIDAYS_API_URL points elsewhere (the
// tests use a stub on loopback); HOLIDAYS_TIMEOUT_MS bounds the wait (default 3000).

export const DEFAULT_HOLIDAYS_API = 'https://date.nager.at/api/v3'

/** A failure of the holidays service, with the status the page answers and a message for people. */
export class HolidaysError extends Error {
  constructor(status, message, cause) {
    super(message, { cause })
    this.status = status
  }
}

const timeoutMs = () => {
  const value = Number(process.env.HOLIDAYS_TIMEOUT_MS)
  return Number.isFinite(value) && value > 0 ? value : 3000
}

/** The next public holidays of a country (ISO 3166 alpha-2 code, upper case). */
export async function nextHolidays(country, { signal } = {}) {
  const base = (process.env.HOLIDAYS_API_URL || DEFAULT_HOLIDAYS_API).replace(/\/+$/, '')
  const ms = timeoutMs()
  let response
  try {
    response = await fetch(`${base}/NextPublicHolidays/${encodeURIComponent(country)}`, {
      headers: { accept: 'application/json' },
      // Our own timeout, and the request's signal: a client that left stops the call too.
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(ms)]) : AbortSignal.timeout(ms),
    })
  } catch (error) {
    if (error.name === 'TimeoutError') {
      throw new HolidaysError(504, `The holidays service did not answer within ${ms / 1000} s. Try again later.`, error)
    }
    throw new HolidaysError(502, 'The holidays service cannot be reached right now. Try again later.', error)
  }
  if (response.status === 404) {
    await response.body?.cancel()
    throw new HolidaysError(404, `The holidays service knows no country with the code ${country}.`)
  }
  if (!response.ok) {
    await response.body?.cancel()
    throw new HolidaysError(502, `The holidays service failed (it answered ${response.status}). Try again later.`)
  }
  let list
  try {
    list = await response.json()
  } catch (error) {
    const status = error.name === 'TimeoutError' ? 504 : 502
    throw new HolidaysError(status, 'The holidays service sent an answer that is not readable. Try again later.', error)
  }
  if (!Array.isArray(list)) {
    throw new HolidaysError(502, 'The holidays service sent an answer that is not a list. Try again later.')
  }
  return list
    .filter((item) => item && typeof item.date === 'string')
    .map((item) => ({ date: item.date, name: String(item.name ?? ''), localName: String(item.localName ?? '') }))
}
