/** workerd: a module worker (no nodejs_compat); the config is a JSON binding. */
import { createHandler, type ScenarioConfig } from '../scenarios.js'
import { CONFIG_VAR } from './protocol.js'

let handler: ((request: Request) => Promise<Response>) | undefined

export default {
  fetch(request: Request, env: Record<string, unknown>): Promise<Response> {
    handler ??= createHandler(env[CONFIG_VAR] as ScenarioConfig)
    return handler(request)
  },
}
