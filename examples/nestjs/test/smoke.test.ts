import { smokeTest } from '@org/example-shared/smoke'

smokeTest(import.meta.url)
