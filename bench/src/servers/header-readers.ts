/**
 * Three ways to read the Authorization header of a node:http request, as route middlewares would
 * (measured in isolation by the headers scenario, on Express and Koa). Each uses what it read (a
 * module-level sink), sets nothing on the request, and answers 400 for a missing or repeated header.
 */
import type { IncomingMessage } from 'node:http'

let sink = 0
/** Keeps the reads observable, so no engine can drop them. */
export const sinkValue = () => sink

/** `req.headers.authorization`: Node joins nothing for it (a repeated Authorization keeps the first). */
export function viaHeaders(req: IncomingMessage): boolean {
  const v = req.headers.authorization
  if (v === undefined) return false
  sink += v.length
  return true
}

/** `req.headersDistinct.authorization`: every value, so a repeated header can be refused (builds an object of arrays for all headers). */
export function viaHeadersDistinct(req: IncomingMessage): boolean {
  const v = req.headersDistinct.authorization
  if (v === undefined || v.length !== 1) return false
  sink += v[0]!.length
  return true
}

/** A scan of `req.rawHeaders` for `authorization` names (any case), without allocating for the common case. */
export function viaRawHeaders(req: IncomingMessage): boolean {
  const value = rawAuthorization(req.rawHeaders)
  if (value === undefined) return false
  sink += value.length
  return true
}

/** The `Authorization` value in Node's raw headers; `undefined` when absent or repeated. */
export function rawAuthorization(raw: readonly string[]): string | undefined {
  let value: string | undefined
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!
    if (name.length !== 13 || (name !== 'authorization' && name !== 'Authorization' && name.toLowerCase() !== 'authorization')) continue
    if (value !== undefined) return undefined
    value = raw[i + 1]
  }
  return value
}
