#!/usr/bin/env bash
# Core's mutation run in shards, one after the other (see MUTATION.md): each writes its own report
# (reports/mutation/<shard>.json), so an interrupted run keeps the shards it finished; then
# `node mutation/score.mjs` sums them. jwt/ keeps its static mutants (its algorithm tables are
# behaviour); the other shards ignore them (each would run the whole suite: 77 % of the time for 25 %
# of the mutants). Usage: bash mutation/shards.sh [shard …]   (default: all, in this order)
set -uo pipefail
cd "$(dirname "$0")/.."
declare -A SHARDS=(
  [jwt]='src/jwt/*.ts,!src/**/index.ts'
  [targets]='src/bearer.ts,src/token-info.ts,src/introspection/*.ts,src/errors.ts,src/error-response.ts,!src/**/index.ts'
  [cache]='src/cache/*.ts,src/hash/*.ts,!src/**/index.ts'
  [base]='src/claims.ts,src/client-auth.ts,src/http.ts,src/http-error.ts,src/jose-errors.ts,src/metadata.ts,src/options.ts,src/option-messages.ts,src/redact.ts'
  [cc]='src/client-credentials/*.ts,!src/**/index.ts,!src/client-credentials/types.ts'
  [rs]='src/resource-server/*.ts,!src/**/index.ts,!src/resource-server/types.ts'
  [sc]='src/dpop/*.ts,src/mtls/*.ts,src/sender-constraint/*.ts,src/keys/*.ts,src/events/*.ts,src/presets/*.ts,!src/**/index.ts,!src/events/types.ts'
)
ORDER=(jwt targets cache base cc rs sc)
for shard in "${@:-${ORDER[@]}}"; do
  static=exclude
  [[ $shard == jwt || $shard == targets ]] && static=include
  echo "mutation shard $shard: ${SHARDS[$shard]}"
  STRYKER_SHARD=$shard STRYKER_MUTATE=${SHARDS[$shard]} STRYKER_STATIC=$static npx stryker run stryker.shard.config.mjs
done
node mutation/score.mjs
