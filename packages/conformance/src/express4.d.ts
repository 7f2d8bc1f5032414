// express@4 installed under the alias "express4"; typed as Express (the conformance apps only use what both share).
declare module 'express4' {
  import express from 'express'
  export default express
}
