import type { Options } from 'tsup'
import { library } from '../../tsup.library'

// Runs on Node (Nest does). The sources use legacy decorators (experimentalDecorators), which esbuild
// compiles; they inject by explicit token (@Inject), so the build needs no design:paramtypes metadata
// (tsconfig.build.json turns emitDecoratorMetadata off for tsup, which would otherwise look for swc).
const config: Options = { ...(library('node') as Options), tsconfig: 'tsconfig.build.json' }
export default config
