/**
 * What the resource server publishes: RFC 9728 protected resource metadata (where, and exactly
 * what) and the public JWKS of its decryption keys (RFC 9701 encrypted introspection), as documents
 * and as ready-made responses. Over HTTP through each adapter: packages/conformance.
 */
import * as jose from 'jose'
import { describe, expect, it } from 'vitest'
import { createResourceServer } from '../../src/index.js'
import { wellKnownMetadataUrl } from '../../src/resource-server/documents.js'

const base = { issuer: 'https://as.example', audience: 'api', tokenFormat: 'jwt' } as const

describe('protected resource metadata', () => {
  it('none without a resource: no URL, no path, a 404 response', () => {
    const rs = createResourceServer(base)
    expect(rs.protectedResourceMetadata()).toBeUndefined()
    expect(rs.resourceMetadataUrl).toBeUndefined()
    expect(rs.resourceMetadataPath).toBeUndefined()
    expect(rs.protectedResourceMetadataResponse()).toEqual({
      status: 404,
      headers: { 'content-type': 'application/json' },
      body: { error: 'not_found', error_description: 'No protected resource metadata is configured' },
    })
  })

  it('with a resource: the resource, its authorization servers, header bearer tokens; served cacheable at the RFC 9728 location', () => {
    const rs = createResourceServer({ ...base, resource: 'https://api.example/v1' })
    const metadata = {
      resource: 'https://api.example/v1',
      authorization_servers: ['https://as.example'],
      bearer_methods_supported: ['header'],
    }
    expect(rs.protectedResourceMetadata()).toEqual(metadata)
    expect(rs.resourceMetadataUrl).toBe('https://api.example/.well-known/oauth-protected-resource/v1')
    expect(rs.resourceMetadataPath).toBe('/.well-known/oauth-protected-resource/v1')
    expect(rs.protectedResourceMetadataResponse()).toEqual({
      status: 200,
      headers: { 'content-type': 'application/json', 'cache-control': 'public, max-age=300' },
      body: metadata,
    })
  })

  it('the optional members, each only when set; an explicit metadata URL wins', () => {
    const rs = createResourceServer({
      ...base,
      resource: 'https://api.example',
      resourceMetadata: {
        url: 'https://api.example/meta',
        scopesSupported: ['read', 'write'],
        resourceName: 'Orders API',
        resourceDocumentation: 'https://docs.example/orders',
      },
    })
    expect(rs.protectedResourceMetadata()).toEqual({
      resource: 'https://api.example',
      authorization_servers: ['https://as.example'],
      bearer_methods_supported: ['header'],
      scopes_supported: ['read', 'write'],
      resource_name: 'Orders API',
      resource_documentation: 'https://docs.example/orders',
    })
    expect(rs.resourceMetadataUrl).toBe('https://api.example/meta')
    expect(rs.resourceMetadataPath).toBe('/meta')
    const partial = createResourceServer({ ...base, resource: 'https://api.example', resourceMetadata: { resourceName: 'Orders API' } })
    expect(Object.keys(partial.protectedResourceMetadata()!)).toEqual([
      'resource',
      'authorization_servers',
      'bearer_methods_supported',
      'resource_name',
    ])
  })

  it('wellKnownMetadataUrl: the path of the resource after the well-known segment, none for the root', () => {
    expect(wellKnownMetadataUrl('https://api.example')).toBe('https://api.example/.well-known/oauth-protected-resource')
    expect(wellKnownMetadataUrl('https://api.example/')).toBe('https://api.example/.well-known/oauth-protected-resource')
    expect(wellKnownMetadataUrl('https://api.example:8443/a/b')).toBe('https://api.example:8443/.well-known/oauth-protected-resource/a/b')
  })
})

describe('the JWKS of the decryption keys', () => {
  it('public members only, with kid, use enc and alg; served as application/jwk-set+json, cacheable', async () => {
    const { privateKey } = await jose.generateKeyPair('ECDH-ES', { crv: 'P-256', extractable: true })
    const jwk = { ...(await jose.exportJWK(privateKey)), kid: 'enc-1', alg: 'ECDH-ES' }
    const rs = createResourceServer({ issuer: 'https://as.example', clientId: 'api', clientSecret: 's', decryptionKeys: [jwk] })
    const jwks = await rs.jwks()
    expect(jwks.keys).toHaveLength(1)
    expect(jwks.keys[0]).toMatchObject({ kty: 'EC', crv: 'P-256', kid: 'enc-1', use: 'enc', alg: 'ECDH-ES', x: jwk.x, y: jwk.y })
    expect(jwks.keys[0]).not.toHaveProperty('d')
    expect(await rs.jwksResponse()).toEqual({
      status: 200,
      headers: { 'content-type': 'application/jwk-set+json', 'cache-control': 'public, max-age=300' },
      body: jwks,
    })
  })

  it('no decryption keys: an empty set', async () => {
    const rs = createResourceServer(base)
    expect(await rs.jwks()).toEqual({ keys: [] })
    expect((await rs.jwksResponse()).status).toBe(200)
  })
})
