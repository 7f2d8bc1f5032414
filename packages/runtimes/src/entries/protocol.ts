/**
 * What the Node test process and a runtime process agree on: the config arrives in the
 * `RS_RUNTIMES_CONFIG` environment variable (as a JSON binding of the same name on workerd), the
 * runtime serves {@link createHandler} on 127.0.0.1 and prints one line `{"listening":<port>}`.
 * A runtime process ends itself after {@link MAX_LIFETIME_MS} if nobody stopped it.
 */
export const CONFIG_VAR = 'RS_RUNTIMES_CONFIG'
export const MAX_LIFETIME_MS = 180_000
export const listeningLine = (port: number) => JSON.stringify({ listening: port })
