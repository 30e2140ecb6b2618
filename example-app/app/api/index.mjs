// The home page.
export function get({ session }) {
  return { json: { user: session.user ?? null } }
}
