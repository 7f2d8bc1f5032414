/**
 * What the presets share: the ConfigurationError naming the preset and the option, a required
 * string option, joining an endpoint under an issuer, and the lenient `typ` default of `jwt`.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { lenientJwt, presetError, requireString, under } from '../../src/presets/shared.js'
import { thrown } from '../support/index.js'

describe('presetError and requireString', () => {
  it('throws a ConfigurationError with one issue on the path given', () => {
    const err = thrown(() => presetError('okta', 'domain', 'bad'), ConfigurationError)
    expect(err.issues).toEqual([{ path: 'domain', message: 'bad' }])
    expect(err.code).toBe('invalid_configuration')
  })

  it('returns a non-empty string; refuses anything else on the path given', () => {
    expect(requireString('p', 'opt', 'value', 'x')).toBe('value')
    for (const value of ['', undefined, null, 1, ['a']]) {
      expect(thrown(() => requireString('p', 'opt', value, 'x'), ConfigurationError).issues.map((i) => i.path)).toEqual(['opt'])
    }
  })
})

describe('under', () => {
  it('joins a path under a base without its trailing slashes', () => {
    expect(under('https://as.example', '/jwks')).toBe('https://as.example/jwks')
    expect(under('https://as.example/', '/jwks')).toBe('https://as.example/jwks')
    expect(under('https://as.example/t//', '/jwks')).toBe('https://as.example/t/jwks')
    expect(under('https://as.example/a/b', '/c')).toBe('https://as.example/a/b/c')
  })
})

describe('lenientJwt', () => {
  it('sets typ lenient unless the caller set a typ, keeping the other jwt options', () => {
    expect(lenientJwt(undefined)).toEqual({ typ: 'lenient' })
    expect(lenientJwt({ maxTokenAge: 5 })).toEqual({ typ: 'lenient', maxTokenAge: 5 })
    expect(lenientJwt({ typ: 'strict' })).toEqual({ typ: 'strict' })
  })
})
