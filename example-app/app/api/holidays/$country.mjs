// The one route that calls a third-party API: the next public holidays of a country.
import { HolidaysError, nextHolidays } from '../../../lib/holidays.mjs'

export async function get({ params, session, signal }) {
  const user = session.user ?? null
  const country = params.country.toUpperCase()
  if (!/^[A-Z]{2}$/.test(country)) {
    const message = 'Country codes have two letters, such as GB or FR'
    return { statusCode: 400, json: { user, country: params.country, error: { status: 400, message } } }
  }
  try {
    const holidays = await nextHolidays(country, { signal })
    return { json: { user, country, holidays }, cacheControl: 'private, max-age=600' }
  } catch (error) {
    if (!(error instanceof HolidaysError)) throw error
    // The service is down or slow: a clear page (or JSON), never a stack trace.
    if (error.status >= 500) console.error(`holidays: ${error.message} (${error.cause?.message ?? 'no cause'})`)
    return {
      statusCode: error.status,
      cacheControl: 'no-store',
      json: { user, country, error: { status: error.status, message: error.message } },
    }
  }
}
