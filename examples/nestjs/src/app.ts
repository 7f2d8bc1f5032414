import 'reflect-metadata'
import { Controller, Get, Inject, Injectable, Module, type Type } from '@nestjs/common'
import { locationsFor } from '@org/example-shared'
import type { AccessTokenInfo, ResourceServer } from '@org/rs-core'
import { Auth, RequireAuth, ResourceServerModule, resourceServerDocumentsController } from '@org/rs-nestjs'

/** Where the data comes from (a service, injected by token: tsx compiles without decorator metadata). */
@Injectable()
export class LocationsService {
  forUser(sub: string) {
    return locationsFor(sub)
  }
}

@Controller('api/users')
@RequireAuth({ anyScope: ['openid'] })
export class UsersController {
  constructor(@Inject(LocationsService) private readonly locations: LocationsService) {}

  @Get('locations')
  list(@Auth() auth: AccessTokenInfo) {
    return { sub: auth.sub, locations: this.locations.forUser(auth.sub ?? '') }
  }
}

/** The API: one protected route, and the JWKS route an AS encrypting its answers to us would use. */
export function createAppModule(rs: ResourceServer): Type<unknown> {
  @Module({
    imports: [ResourceServerModule.forRoot({ resourceServer: rs })],
    controllers: [UsersController, resourceServerDocumentsController({ jwksPath: '/.well-known/jwks.json' })],
    providers: [LocationsService],
  })
  class AppModule {}
  return AppModule
}
