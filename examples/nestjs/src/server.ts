import { NestFactory } from '@nestjs/core'
import { ExpressAdapter } from '@nestjs/platform-express'
import { FastifyAdapter } from '@nestjs/platform-fastify'
import { setup } from '@org/example-shared'
import { createAppModule } from './app.js'

const { rs, port, announce, close } = await setup()
const adapter = process.env.NEST_PLATFORM === 'fastify' ? new FastifyAdapter() : new ExpressAdapter()
const app = await NestFactory.create(createAppModule(rs), adapter, { logger: ['error', 'warn'] })
await app.listen(port, '127.0.0.1')
const address = app.getHttpServer().address()
await announce(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(
    signal,
    () =>
      void app
        .close()
        .then(close)
        .then(() => process.exit(0)),
  )
}
