// The holidays form: a GET form that sends ?country=XX here, redirected to /holidays/XX.
export function get({ query, session }) {
  const country = typeof query.country === 'string' ? query.country.trim().toUpperCase() : ''
  if (/^[A-Z]{2}$/.test(country)) return { location: `/holidays/${country}` }
  const problems = query.country === undefined ? {} : { country: 'Enter a two-letter country code, such as GB or FR' }
  return { statusCode: query.country === undefined ? 200 : 422, json: { user: session.user ?? null, country, problems } }
}
