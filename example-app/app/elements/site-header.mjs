// The header of every page: navigation, who is logged in, and the logout form.
// The markup and script are shared with the pages that are not Enhance pages (lib/layout.mjs).
import { SITE_HEADER_SCRIPT, siteHeader } from '../../lib/layout.mjs'

export default function SiteHeader({ html, state }) {
  return html`${siteHeader(state.store.user)}${SITE_HEADER_SCRIPT}`
}
