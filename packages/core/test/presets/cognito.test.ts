/**
 * The cognito() preset: the issuer and JWKS of a user pool (region read from its id), the allowed
 * clients (required: Cognito access tokens have no `aud`), the lenient typ, an issuer override, and
 * a ConfigurationError naming `userPoolId`, `region` or `allowedClients` for each wrong argument.
 */
import { describe, expect, it } from 'vitest'
import { ConfigurationError } from '../../src/errors.js'
import { cognito } from '../../src/presets/cognito.js'
import { thrown } from '../support/index.js'

const issuePaths = (call: () => unknown) => thrown(call, ConfigurationError).issues.map((i) => i.path)

describe('cognito', () => {
  it('produces the pool issuer, its JWKS, JWT tokens, the allowed clients and a lenient typ', () => {
    expect(cognito({ userPoolId: 'eu-west-3_Ex4mpLe01', allowedClients: ['client1'] })).toEqual({
      issuer: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Ex4mpLe01',
      jwksUri: 'https://cognito-idp.eu-west-3.amazonaws.com/eu-west-3_Ex4mpLe01/.well-known/jwks.json',
      tokenFormat: 'jwt',
      allowedClients: ['client1'],
      jwt: { typ: 'lenient' },
    })
  })

  it('takes the matching region, an issuer override, and passes other options through', () => {
    expect(
      cognito({
        userPoolId: 'us-gov-west-1_abc',
        region: 'us-gov-west-1',
        allowedClients: ['a', 'b'],
        issuer: 'https://idp.example/',
        realm: 'api',
      }),
    ).toEqual({
      realm: 'api',
      issuer: 'https://idp.example/',
      jwksUri: 'https://idp.example/.well-known/jwks.json',
      tokenFormat: 'jwt',
      allowedClients: ['a', 'b'],
      jwt: { typ: 'lenient' },
    })
  })

  it('refuses a missing or malformed userPoolId', () => {
    for (const userPoolId of [
      '',
      undefined,
      'Ex4mpLe01',
      'eu-west-3',
      'eu-west-3_',
      'EU-WEST-3_abc',
      'eu_abc',
      'eu-west-x_abc',
      'eu-west-3_ab-c',
      ' eu-west-3_abc',
      'eu-west-3_abc ',
      'eus-west-3_abc',
      'eu-west-33_abc',
      'eu-3_abc',
    ]) {
      expect(
        issuePaths(() => cognito({ userPoolId: userPoolId as string, allowedClients: ['c'] })),
        String(userPoolId),
      ).toEqual(['userPoolId'])
    }
  })

  it('refuses a region other than the pool one', () => {
    expect(issuePaths(() => cognito({ userPoolId: 'eu-west-3_abc', region: 'eu-west-1', allowedClients: ['c'] }))).toEqual(['region'])
  })

  it('refuses missing, empty or non-array allowedClients', () => {
    for (const allowedClients of [undefined, [], 'client1']) {
      expect(issuePaths(() => cognito({ userPoolId: 'eu-west-3_abc', allowedClients: allowedClients as never }))).toEqual([
        'allowedClients',
      ])
    }
  })
})
