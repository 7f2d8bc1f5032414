import { setup } from '@org/example-shared'
import { createApp } from './app.js'

const { rs, port, announce, close } = await setup()
const app = await createApp(rs)
await app.listen({ port, host: '127.0.0.1' })
const address = app.server.address()
await announce(`http://127.0.0.1:${typeof address === 'object' && address ? address.port : port}`)
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => void app.close().then(close).then(() => process.exit(0)))
}
