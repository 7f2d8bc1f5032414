/**
 * Encrypted introspection responses (RFC 9701 §5): a JWE to one of this resource server's keys,
 * wrapping the signed JWT. Algorithms are allow-listed; the key is chosen by `alg` and `kid`.
 *
 * @module introspection/encrypted-response
 */
import * as jose from 'jose'
import { AuthorizationServerError } from '../errors.js'
import { joseReason } from '../jose-errors.js'
import type { IntrospectorSettings } from './settings.js'

const decoder = new TextDecoder()

/** Decrypts a JWE introspection response; resolves with the JWS it wraps. */
export async function decryptResponse(settings: IntrospectorSettings, what: string, jwe: string): Promise<string> {
  const keys = await settings.decryptionKeys()
  try {
    const { plaintext, protectedHeader } = await jose.compactDecrypt(
      jwe,
      (header) => {
        const candidates = keys.filter((k) => k.alg === header.alg && (header.kid === undefined || k.kid === header.kid))
        if (candidates.length === 0) throw new jose.errors.JWEDecryptionFailed('no decryption key matches the JWE header')
        return candidates[0]!.key
      },
      {
        keyManagementAlgorithms: [...settings.keyManagementAlgorithms],
        contentEncryptionAlgorithms: [...settings.contentEncryptionAlgorithms],
      },
    )
    if (protectedHeader.cty !== undefined && protectedHeader.cty.toUpperCase() !== 'JWT') {
      throw new jose.errors.JWEInvalid(`unexpected "cty" ${protectedHeader.cty}`)
    }
    return decoder.decode(plaintext)
  } catch (err) {
    throw new AuthorizationServerError(
      'bad_signature',
      `${what} sent an encrypted response that could not be decrypted: ${joseReason(err)}`,
      { cause: err },
    )
  }
}
