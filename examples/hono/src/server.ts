import { serve } from '@hono/node-server'
import { setup } from '@org/example-shared'
import { createApp } from './app.js'

const { rs, port, announce, close } = await setup()
const server = serve({ fetch: createApp(rs).fetch, port, hostname: '127.0.0.1' }, (info) => {
  void announce(`http://127.0.0.1:${info.port}`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => void close().then(() => process.exit(0))))
}
