// What every page shares, as plain HTML: the site header and the error box. The
// Enhance elements (app/elements/site-header.mjs, error-message.mjs) render them,
// and so do the pages that are not Enhance pages: the legacy EJS view
// (views/about.ejs, through res.locals.layout) and the app's own last-stop 404 and
// 500 (server.mjs). One markup and one script, whoever renders the page.
import { escapeHtml } from './html.mjs'

/** The header's behaviour (logging out in place): public/site-header.mjs defines <site-header>. */
export const SITE_HEADER_SCRIPT = '<script type="module" src="/_public/site-header.mjs"></script>'

/** The inside of <site-header>: the brand, the navigation, who is logged in and the logout form. */
export function siteHeader(user) {
  const account = user
    ? `<span>Logged in as <strong class="user">${escapeHtml(user)}</strong></span>
       <form method="post" action="/logout" class="logout"><button type="submit" class="quiet">Log out</button></form>`
    : '<a href="/login" class="login">Log in</a>'
  return `<header class="site-header">
      <a class="brand" href="/">Task board</a>
      <nav>
        <a href="/tasks">Tasks</a>
        <a href="/holidays">Holidays</a>
        <a href="/about">About</a>
      </nav>
      <div class="account">${account}</div>
    </header>`
}

/** The error box of the 404 and 500 pages. */
export function errorBox({ status = 500, message = 'Something went wrong' } = {}) {
  const title = status === 404 ? 'Not found' : status >= 500 ? 'Something went wrong' : 'That did not work'
  return `<div class="error-box" role="alert">
      <h1>${escapeHtml(title)} (${escapeHtml(status)})</h1>
      <p class="error-message">${escapeHtml(message)}</p>
      <p><a href="/tasks">Back to your tasks</a></p>
    </div>`
}

/** A whole page for the Express side of the app: the document head (app/head.mjs), the header, then `main`. */
export function page({ head, user, main }) {
  return `${head}
<body>
  <site-header>${siteHeader(user)}</site-header>
  <main>
    ${main}
  </main>
  ${SITE_HEADER_SCRIPT}
</body>
</html>`
}
