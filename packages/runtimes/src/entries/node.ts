/** Node: the scenarios served by @hono/node-server, resolving @org/rs-core like any Node app. */
import { serve } from '@hono/node-server'
import { createHandler, type ScenarioConfig } from '../scenarios.js'
import { CONFIG_VAR, MAX_LIFETIME_MS, listeningLine } from './protocol.js'

const config = JSON.parse(process.env[CONFIG_VAR] ?? '') as ScenarioConfig
const handler = createHandler(config)
serve({ fetch: handler, hostname: '127.0.0.1', port: 0 }, (info) => console.log(listeningLine(info.port)))
setTimeout(() => process.exit(3), MAX_LIFETIME_MS).unref()
