/**
 * The `htu` a DPoP proof must name: RFC 3986 §6 normalisation of http(s) URLs (case, default port,
 * dot segments, percent-encodings), what is refused, the declared public base URL, and where the
 * request's URI is taken from (public URL, `href`, absolute `url`) with the error for each failure.
 */
import { describe, expect, it } from 'vitest'
import { expectedHtu, normaliseHtu, publicBase } from '../../src/dpop/htu.js'
import { BearerError } from '../../src/errors.js'
import { thrown } from '../support/index.js'

describe('normaliseHtu', () => {
  it('keeps scheme, host, port and path; drops query and fragment', () => {
    expect(normaliseHtu('https://api.example/a/b?x=1#f')).toBe('https://api.example/a/b')
    expect(normaliseHtu('http://api.example:8080/a')).toBe('http://api.example:8080/a')
    expect(normaliseHtu('https://api.example')).toBe('https://api.example/')
  })

  it('lower-cases scheme and host, drops the default port, resolves dot segments', () => {
    expect(normaliseHtu('HTTPS://API.Example:443/x/../y/./z')).toBe('https://api.example/y/z')
    expect(normaliseHtu('HTTP://api.example:80/')).toBe('http://api.example/')
  })

  it('decodes percent-encoded unreserved characters and upper-cases the others', () => {
    expect(normaliseHtu('https://a.example/%41%7a%30%2d%5f%7e%2E')).toBe('https://a.example/Az0-_~.')
    expect(normaliseHtu('https://a.example/%2f%20%3a%c3%a9')).toBe('https://a.example/%2F%20%3A%C3%A9')
    expect(normaliseHtu('https://a.example/a%2fb%2Fc')).toBe('https://a.example/a%2Fb%2Fc')
    // Characters next to the unreserved ones in ASCII stay encoded.
    expect(normaliseHtu('https://a.example/%2c%2f%3a%40%5b%60%7b%7f')).toBe('https://a.example/%2C%2F%3A%40%5B%60%7B%7F')
  })

  it('refuses what is not an http(s) URL without credentials', () => {
    expect(normaliseHtu('not a url')).toBeUndefined()
    expect(normaliseHtu('/relative/path')).toBeUndefined()
    expect(normaliseHtu('ftp://a.example/x')).toBeUndefined()
    expect(normaliseHtu('wss://a.example/x')).toBeUndefined()
    expect(normaliseHtu('https://user@a.example/x')).toBeUndefined()
    expect(normaliseHtu('https://:pass@a.example/x')).toBeUndefined()
    expect(normaliseHtu('https://user:pass@a.example/x')).toBeUndefined()
  })
})

describe('publicBase', () => {
  it('is undefined without a public URL', () => {
    expect(publicBase(undefined)).toBeUndefined()
  })

  it('holds the origin and the path prefix without trailing slashes, normalised', () => {
    expect(publicBase('HTTPS://Api.Example:443/base//')).toEqual({ origin: 'https://api.example', prefix: '/base' })
    expect(publicBase('https://api.example')).toEqual({ origin: 'https://api.example', prefix: '' })
    expect(publicBase('https://api.example:8443/a/%7eb/?q=1')).toEqual({ origin: 'https://api.example:8443', prefix: '/a/~b' })
    expect(publicBase('http://api.example/a/b')).toEqual({ origin: 'http://api.example', prefix: '/a/b' })
  })
})

describe('expectedHtu without a public URL', () => {
  it('takes href (a string or a function), normalised', () => {
    expect(expectedHtu({ href: 'HTTPS://Api.Example:443/r/%7e?q#f', url: '/other' }, undefined)).toBe('https://api.example/r/~')
    expect(expectedHtu({ href: () => 'https://api.example/fn', url: '/other' }, undefined)).toBe('https://api.example/fn')
  })

  it('takes an absolute url (http or https, any case) when href is absent', () => {
    expect(expectedHtu({ url: 'https://api.example/u?x=1' }, undefined)).toBe('https://api.example/u')
    expect(expectedHtu({ url: 'http://api.example/u' }, undefined)).toBe('http://api.example/u')
    expect(expectedHtu({ url: 'HTTPS://api.example/u' }, undefined)).toBe('https://api.example/u')
    expect(expectedHtu({ href: () => undefined, url: 'https://api.example/u' }, undefined)).toBe('https://api.example/u')
  })

  it('throws a plain Error (a wiring mistake) when only a path is known', () => {
    for (const request of [{ url: '/path' }, { url: '/p?next=http://a.example/' }, {}, { url: 'ftp://a.example/x' }]) {
      const err = thrown(() => expectedHtu(request, undefined), Error)
      expect(err).not.toBeInstanceOf(BearerError)
    }
  })

  it('refuses an absolute URL that cannot be normalised with invalid_request', () => {
    for (const href of ['ftp://a.example/x', 'https://user:pw@a.example/x', 'http://[bad']) {
      const err = thrown(() => expectedHtu({ href }, undefined), BearerError)
      expect(err.code).toBe('invalid_request')
      expect(err.status).toBe(400)
    }
  })
})

describe('expectedHtu with a public URL', () => {
  const base = publicBase('https://public.example/api/')

  it('is the public origin and prefix followed by the path received, without query', () => {
    expect(expectedHtu({ url: '/r/x?q=1#f' }, base)).toBe('https://public.example/api/r/x')
    expect(expectedHtu({ url: '/a/../b/./c' }, base)).toBe('https://public.example/api/b/c')
    expect(expectedHtu({ url: '/%7e%2f' }, base)).toBe('https://public.example/api/~%2F')
  })

  it('takes the path of href or an absolute url, ignoring their origin', () => {
    expect(expectedHtu({ href: 'http://internal:8080/h', url: '/u' }, base)).toBe('https://public.example/api/h')
    expect(expectedHtu({ url: 'http://internal:8080/abs' }, base)).toBe('https://public.example/api/abs')
  })

  it('refuses a missing, empty or unreadable URL with invalid_request', () => {
    for (const request of [{}, { url: '' }, { href: 'http://[bad' }]) {
      const err = thrown(() => expectedHtu(request, base), BearerError)
      expect(err.code).toBe('invalid_request')
    }
  })
})
