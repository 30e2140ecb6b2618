// Escaping for text that elements interpolate into markup: @enhance/ssr inserts
// strings as they are, so anything a user typed goes through here first.
const escapes = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }

export const escapeHtml = (value) => String(value ?? '').replace(/[&<>"']/g, (char) => escapes[char])
