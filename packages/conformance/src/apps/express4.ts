/** Express 4 (the same @org/rs-express adapter, unchanged): the conformance app of ./express.ts on Express 4. */
import express4 from 'express4'
import { startExpressApp } from './express.js'

export const startExpress4App: typeof startExpressApp = (rs, options) => startExpressApp(rs, options, express4)
