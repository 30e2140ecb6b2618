const BASE = 'http://site.invalid'
/** A control character (C0 or DEL): anything outside printable ASCII and the non-ASCII range. */
const CONTROL = /[^ -~\u0080-\uffff]/

/**
 * A user-given redirect target (`?next=`, a form field) kept on this site:
 * the target itself when it is a path on this site, else `fallback`. A
 * `location` is sent as it is, so `//evil.example`, `/\evil.example`,
 * `https://evil.example` or a path with a tab or newline in it (which browsers
 * drop, making `/\t/evil.example` leave the site) would send the user away:
 * pass anything a client chose through this first.
 */
export function siteLocation(target: unknown, fallback = '/'): string {
  if (typeof target !== 'string' || !target.startsWith('/') || CONTROL.test(target)) return fallback
  // Parsed as a browser parses it (backslashes are slashes): it must stay on the same origin.
  if (!URL.canParse(target, BASE) || new URL(target, BASE).origin !== BASE) return fallback
  return target
}
