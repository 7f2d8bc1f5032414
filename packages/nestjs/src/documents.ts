/**
 * A controller for the documents a resource server publishes: its JWKS and its RFC 9728 metadata.
 *
 * @module
 */
import { Controller, Get, Inject, type Type, Res } from '@nestjs/common'
import type { DocumentResponse, ResourceServer } from '@org/rs-core'
import { RESOURCE_SERVER } from './tokens.js'

/** Express `Response` or Fastify `FastifyReply`. */
interface AnyResponse {
  code?: (status: number) => AnyResponse
  status?: (status: number) => AnyResponse
  header(name: string, value: string): AnyResponse
  send(body: string): unknown
}

function send(res: AnyResponse, { status, headers, body }: DocumentResponse): void {
  const r = typeof res.code === 'function' ? res.code(status) : res.status!(status)
  for (const [name, value] of Object.entries(headers)) r.header(name, value)
  r.send(JSON.stringify(body))
}

/** Paths of {@link resourceServerDocumentsController}. */
export interface DocumentsControllerOptions {
  /** Where to serve `rs.jwksResponse()`. Default `/.well-known/jwks.json`. */
  jwksPath?: string
  /** Where to serve `rs.protectedResourceMetadataResponse()` (404 JSON without the `resource` option), e.g. `rs.resourceMetadataPath`. Default: not served. */
  metadataPath?: string
}

/**
 * A controller class serving the JWKS and, with `metadataPath`, the RFC 9728 metadata of the module's
 * resource server. Add it to a module's `controllers`.
 *
 * @example
 * ```ts
 * @Module({ controllers: [resourceServerDocumentsController({ metadataPath: '/.well-known/oauth-protected-resource' })] })
 * ```
 */
export function resourceServerDocumentsController(options: DocumentsControllerOptions = {}): Type<unknown> {
  const jwksPath = options.jwksPath ?? '/.well-known/jwks.json'
  @Controller()
  class ResourceServerDocumentsController {
    constructor(@Inject(RESOURCE_SERVER) readonly rs: ResourceServer) {}

    @Get(jwksPath)
    async jwks(@Res() res: AnyResponse): Promise<void> {
      send(res, await this.rs.jwksResponse())
    }
  }
  if (options.metadataPath !== undefined) {
    const descriptor = {
      value(this: ResourceServerDocumentsController, res: AnyResponse) {
        send(res, this.rs.protectedResourceMetadataResponse())
      },
      writable: true,
      configurable: true,
    }
    Object.defineProperty(ResourceServerDocumentsController.prototype, 'metadata', descriptor)
    Res()(ResourceServerDocumentsController.prototype, 'metadata', 0)
    Get(options.metadataPath)(ResourceServerDocumentsController.prototype, 'metadata', descriptor)
  }
  return ResourceServerDocumentsController
}
