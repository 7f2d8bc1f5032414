import { defineConfig } from 'vitest/config'

// One file at a time: the tests start processes and a redis-server, on 2 shared cores.
export default defineConfig({ test: { fileParallelism: false, testTimeout: 60_000, hookTimeout: 60_000 } })
