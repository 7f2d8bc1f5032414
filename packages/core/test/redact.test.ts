/**
 * What an AS may echo back of a secret we sent, and what is left of its text once redacted: every
 * spelling of the secret (raw, URL- and form-encoded, base64 and base64url, with or without padding,
 * and the Basic credentials built from it), control characters, and a bounded length.
 */
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { redact, secretForms } from '../src/redact.js'

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64')
const b64url = (s: string) => Buffer.from(s, 'utf8').toString('base64url')

describe('secretForms', () => {
  it('every spelling of the secret and of the Basic credentials, longest first', () => {
    const secret = 's3cr3t+/ é&=?'
    const forms = secretForms(secret, 'client id')
    for (const form of [
      secret,
      encodeURIComponent(secret),
      new URLSearchParams({ v: secret }).toString().slice(2),
      b64(secret).replace(/=+$/, ''),
      b64url(secret),
      encodeURIComponent(b64(secret)),
      b64(`client id:${secret}`).replace(/=+$/, ''),
      b64url(`client id:${secret}`),
      b64(`client+id:${new URLSearchParams({ v: secret }).toString().slice(2)}`).replace(/=+$/, ''),
      b64(`client%20id:${encodeURIComponent(secret)}`).replace(/=+$/, ''),
    ]) {
      expect(forms, form).toContain(form)
    }
    expect(forms).toEqual([...forms].sort((a, b) => b.length - a.length))
    expect(new Set(forms).size).toBe(forms.length)
  })

  it('without a client id, no Basic credentials; forms shorter than 4 characters are dropped', () => {
    expect(secretForms('abcdef').some((f) => f.includes(b64('undefined:').slice(0, 8)))).toBe(false)
    expect(secretForms('abcdef')).toEqual(['YWJjZGVm', 'abcdef'])
    expect(secretForms('ab')).toEqual(['YWI%3D']) // 'ab' and 'YWI' are too short to redact without eating ordinary text
  })
})

describe('redact', () => {
  it('replaces every occurrence of every form, removes control characters, keeps the rest', () => {
    const forms = secretForms('hunter22', 'api')
    const text = `bad secret hunter22 (${b64('api:hunter22')}) again hunter22\r\n\x00\x1b[31m`
    expect(redact(text, forms)).toBe('bad secret [redacted] ([redacted]) again [redacted][31m')
  })

  it('cuts after redacting, so a cut never leaves part of a secret; the cut is marked', () => {
    const forms = secretForms('hunter22')
    const text = `${'x'.repeat(495)}hunter22 and more`
    expect(redact(text, forms)).toBe(`${'x'.repeat(495)}[reda…`)
    expect(redact('short', forms, 5)).toBe('short')
    expect(redact('longer', forms, 5)).toBe('longe…')
    expect(redact(undefined, forms)).toBeUndefined()
  })

  it('no form of the secret survives, whatever the text around it (property)', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 4, maxLength: 40 }),
        fc.string({ maxLength: 60 }),
        fc.string({ maxLength: 60 }),
        (secret, before, after) => {
          const forms = secretForms(secret, 'client')
          for (const form of forms) {
            const out = redact(`${before}${form}${after}`, forms, 10_000)!
            // eslint-disable-next-line no-control-regex -- what redact removes, removed from the form too
            if (out.includes(form.replace(/[\x00-\x1f\x7f]/g, ''))) return false
          }
          return true
        },
      ),
    )
  })
})
