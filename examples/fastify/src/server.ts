import { setup } from '@org/example-shared'
import { createApp } from './app.js'

const { rs, port, announce, close } = await setup()
// Prove the set-up before serving: a wrong secret, an issuer off by a slash or a missing key stops the
// start here with one line naming the option to change (a ConfigurationError), not at the first request.
try {
  await rs.ready()
} catch (err) {
  console.error(`start-up check failed: ${err instanceof Error ? err.message : String(err)}`)
  await close()
  process.exit(1)
}
const app = await createApp(rs)
await app.listen({ port, host: '127.0.0.1' })
const address = app.server.address()
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
