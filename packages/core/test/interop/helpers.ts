/** Shared by the interop tests: the outcome of one request, as a status and a refusal reason. */
import { reasonOf } from '../../src/events/index.js'
import { BearerError, type ResourceServer, type RouteOptions } from '../../src/index.js'

export interface Outcome {
  status: number
  reason?: string
  clientId?: string | undefined
  scopes?: readonly string[]
}

/** 200 with the token's client and scopes, or the refusal's status and reason. Anything else is thrown. */
export async function outcome(rs: ResourceServer, token: string, route: RouteOptions = {}): Promise<Outcome> {
  try {
    const auth = (await rs.authenticate(`Bearer ${token}`, route))!
    return { status: 200, clientId: auth.clientId, scopes: auth.scopes }
  } catch (err) {
    if (!(err instanceof BearerError)) throw err
    return { status: err.status, reason: reasonOf(err) }
  }
}

/** Options every local AS needs: http on 127.0.0.1, quiet. */
export const LOCAL = { allowInsecureRequests: true, logger: false } as const
