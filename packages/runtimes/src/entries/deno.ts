/** Deno: the scenarios served by Deno.serve (run with --allow-net=127.0.0.1 and --allow-env for the config only). */
import { createHandler, type ScenarioConfig } from '../scenarios.js'
import { CONFIG_VAR, MAX_LIFETIME_MS, listeningLine } from './protocol.js'

declare const Deno: {
  env: { get(name: string): string | undefined }
  serve(
    options: { hostname: string; port: number; onListen(addr: { port: number }): void },
    handler: (request: Request) => Promise<Response>,
  ): unknown
  exit(code: number): never
}

const config = JSON.parse(Deno.env.get(CONFIG_VAR) ?? '') as ScenarioConfig
Deno.serve({ hostname: '127.0.0.1', port: 0, onListen: ({ port }) => console.log(listeningLine(port)) }, createHandler(config))
setTimeout(() => Deno.exit(3), MAX_LIFETIME_MS)
