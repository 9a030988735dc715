/**
 * The one place kos turns generated source into a function (`new Function`).
 * Generated source never contains user data as text (see emit.ts): values
 * arrive as the arguments bound to `params`.
 */
import { JitError } from "./jit-error.js";

/** Runs `body` as a function of `params` applied to `args`, and returns what it returns. */
export function instantiate(params: string[], body: string, args: unknown[]): unknown {
  let factory: Function;
  try {
    factory = new Function(...params, body);
  } catch (e) {
    if (e instanceof EvalError) throw new JitError("CODEGEN_DISALLOWED", "code generation from strings is disallowed in this process (CSP or --disallow-code-generation-from-strings); use `kos build` for ahead-of-time output");
    throw new JitError("INTERNAL", `generated code did not compile: ${(e as Error).message}`, null, { cause: e });
  }
  return factory(...args);
}

/** Whether this process allows code generation from strings at all (checked once, when kos loads). */
export const codegenAllowed: boolean = (() => {
  try {
    return instantiate([], "return 1", []) === 1;
  } catch {
    return false;
  }
})();

/** Gives a generated function the original's name, length and (for constructors) prototype, so `new j() instanceof fn`. */
export function shapeLike<F extends Function>(main: F, original: Function): F {
  for (const key of ["name", "length"] as const) {
    const d = Reflect.getOwnPropertyDescriptor(original, key);
    if (d) Reflect.defineProperty(main, key, d);
  }
  if (Object.prototype.hasOwnProperty.call(main, "prototype") && original.prototype !== undefined) {
    Reflect.defineProperty(main, "prototype", { value: original.prototype, writable: true, enumerable: false, configurable: false });
  }
  return main;
}
