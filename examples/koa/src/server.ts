import type { AddressInfo } from 'node:net'
import { setup } from '@org/example-shared'
import { createApp } from './app.js'

const { rs, port, announce, close } = await setup()
const server = createApp(rs).listen(port, '127.0.0.1', () => {
  void announce(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)
})
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => server.close(() => void close().then(() => process.exit(0))))
}
