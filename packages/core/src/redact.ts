/**
 * Removing secrets from text an authorization server sent (`error`, `error_description`) before it
 * goes into an error message: an AS that echoes the token or the client secret back, raw or in any
 * encoding it was sent in, must not leak it into logs.
 *
 * @module redact
 */

const encoder = new TextEncoder()

/** Standard base64 of the UTF-8 bytes of `value`. */
function base64(value: string): string {
  let binary = ''
  for (const byte of encoder.encode(value)) binary += String.fromCharCode(byte)
  return btoa(binary)
}

/** `application/x-www-form-urlencoded` encoding of `value` (as in a POST body, RFC 6749 §2.3.1). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}

/**
 * Every spelling of `secret` that may appear in what we sent: raw, URL-encoded, form-encoded, and
 * base64 / base64url (unpadded, so padded forms match too). With `clientId`, also the Basic
 * credentials `base64(id:secret)` (raw and form-encoded parts, RFC 6749 §2.3.1).
 */
export function secretForms(secret: string, clientId?: string): string[] {
  const forms = new Set<string>([secret, encodeURIComponent(secret), formEncode(secret)])
  const encoded = [base64(secret)]
  if (clientId !== undefined) {
    encoded.push(
      base64(`${clientId}:${secret}`),
      base64(`${formEncode(clientId)}:${formEncode(secret)}`),
      base64(`${encodeURIComponent(clientId)}:${encodeURIComponent(secret)}`),
    )
  }
  for (const b of encoded) {
    const bare = b.replace(/=+$/, '')
    forms.add(bare)
    forms.add(bare.replace(/\+/g, '-').replace(/\//g, '_'))
    forms.add(encodeURIComponent(b))
  }
  // Very short values would redact ordinary words; nothing that short is a real secret or token.
  return [...forms].filter((f) => f.length >= 4).sort((a, b) => b.length - a.length)
}

/**
 * `text` with every form in `forms` replaced by `[redacted]`, control characters removed, and cut
 * to `max` characters (after redaction, so a cut never leaves part of a secret behind).
 */
export function redact(text: string | undefined, forms: readonly string[], max = 500): string | undefined {
  if (text === undefined) return undefined
  let out = text
  for (const form of forms) if (out.includes(form)) out = out.split(form).join('[redacted]')
  // Control characters (C0 and DEL) never reach a message: no log injection.
  // eslint-disable-next-line no-control-regex
  out = out.replace(/[\x00-\x1f\x7f]/g, '')
  return out.length > max ? `${out.slice(0, max)}…` : out
}
