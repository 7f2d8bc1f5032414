/**
 * A Stryker ignorer: the text of error messages is not mutated. A mutant that only changes what a
 * message says ("The access token expired" → "") changes nothing a caller can act on: codes,
 * statuses, reasons and failures are what the SDK's callers switch on, and those stay mutated.
 *
 * Ignored (the node and everything inside it):
 * - a string or template literal passed as the message of `new XxxError(…)`, `new jose.errors.Xxx(…)`
 *   or `new DOMException(…)`: every argument of those except the first of BearerError,
 *   AuthorizationServerError and TokenEndpointError, which is a code and stays mutated;
 *   the text may be post-processed on the way (`\`…\`.replace(' )', ')')`) and still counts;
 * - the message passed to `super(…)` by an error class (except a code passed first to BearerError);
 * - the `message` member of a `{ path, message }` configuration issue, and the `error_description`
 *   member of an answer's body (a human-readable text; `error` stays mutated);
 * - the body of `describe…` functions (e.g. `describeJwtFailure`): their only output is the text of
 *   a message, so which text they pick is not behaviour either;
 * - the message argument of core's own error-building helpers ({@link MESSAGE_ARGUMENT}): `invalid(…)`
 *   and `refuse(…)` (a BearerError with a fixed code and reason), `unusable(…)` (a jose error),
 *   `failed(claims, claim, message)`, `presetError(preset, path, message)` (the preset's name only
 *   prefixes the message; the path stays mutated).
 */
import { declareValuePlugin, PluginKind } from '@stryker-mutator/api/plugin'

const CODE_FIRST = new Set(['BearerError', 'AuthorizationServerError', 'TokenEndpointError', 'SenderConstraintError'])
/** Core's helpers that build an error from a message, and the position of that message among their arguments. */
const MESSAGE_ARGUMENT = new Map([
  ['invalid', [0]], // dpop/proof.ts
  ['refuse', [0]], // sender-constraint/policy.ts
  ['unusable', [0]], // jwt/signature.ts
  ['failed', [2]], // jwt/claims-set.ts
  ['presetError', [0, 2]], // presets/shared.ts: the preset's name only prefixes the message ("Invalid auth0 options")
])
const isText = (node) => node.type === 'StringLiteral' || node.type === 'TemplateLiteral'

function calleeName(callee) {
  if (callee.type === 'Identifier') return callee.name
  if (callee.type === 'MemberExpression' && callee.property.type === 'Identifier') return callee.property.name
  return undefined
}

function isErrorClass(name, callee) {
  if (name === undefined) return false
  if (/Error$/.test(name) || name === 'DOMException') return true
  // jose.errors.JWEInvalid, jose.errors.JOSEAlgNotAllowed …
  return callee.type === 'MemberExpression' && callee.object.type === 'MemberExpression' && callee.object.property?.name === 'errors'
}

function functionName(fn) {
  if (fn.node.id?.name) return fn.node.id.name
  if (fn.parentPath?.node.type === 'VariableDeclarator' && fn.parentPath.node.id.type === 'Identifier') return fn.parentPath.node.id.name
  return undefined
}

export const strykerPlugins = [
  declareValuePlugin(PluginKind.Ignore, 'error-messages', {
    shouldIgnore(path) {
      const node = path.node
      if (path.isFunction() && /^describe/.test(functionName(path) ?? '')) return 'a function that only builds the text of a message'
      if (!isText(node)) return undefined
      // The text, or the text post-processed (`…`.replace(…), `…`.slice(…)), as an argument.
      let arg = path
      while (
        arg.parentPath?.node.type === 'MemberExpression' &&
        arg.key === 'object' &&
        arg.parentPath.parentPath?.node.type === 'CallExpression'
      ) {
        arg = arg.parentPath.parentPath
      }
      const parent = arg.parentPath?.node
      if (parent === undefined) return undefined
      if (parent.type === 'NewExpression' && arg.listKey === 'arguments') {
        const name = calleeName(parent.callee)
        if (!isErrorClass(name, parent.callee)) return undefined
        if (CODE_FIRST.has(name) && arg.key === 0) return undefined
        return 'the text of an error message'
      }
      if (
        parent.type === 'CallExpression' &&
        parent.callee.type === 'Identifier' &&
        arg.listKey === 'arguments' &&
        MESSAGE_ARGUMENT.get(parent.callee.name)?.includes(arg.key) === true
      ) {
        return 'the text of an error message (given to a helper that builds the error)'
      }
      if (parent.type === 'CallExpression' && parent.callee.type === 'Super' && arg.listKey === 'arguments') {
        const cls = arg.findParent((p) => p.isClass())
        const base = cls?.node.superClass?.type === 'Identifier' ? cls.node.superClass.name : undefined
        if (base === undefined || !/Error$/.test(base)) return undefined
        if (CODE_FIRST.has(base) && arg.key === 0) return undefined
        return 'the text of an error message'
      }
      if (
        parent.type === 'ObjectProperty' &&
        arg.key === 'value' &&
        parent.key.type === 'Identifier' &&
        (parent.key.name === 'message' || parent.key.name === 'error_description')
      ) {
        return 'the text of a message'
      }
      return undefined
    },
  }),
]
