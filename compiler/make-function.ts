/**
 * kos's only `new Function`: `body` as a function of `params`. Generated versions come through
 * here (instantiate.ts), as do the tiering's entry factories (entry-factory.ts, fixed text) and the
 * engine-message probe (specialize/for-of-messages.ts, the program's own expression printed from
 * its syntax tree). No imports, so that the core the first `jit()` loads stays as it is. Throws
 * what `new Function` throws: an EvalError where code generation from strings is disallowed, a
 * SyntaxError.
 */
export function makeFunction(params: string[], body: string): Function {
  return new Function(...params, body);
}
