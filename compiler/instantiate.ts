/**
 * Where kos turns a version's generated source into a function (through make-function.ts).
 * Generated source never contains user data as text (see emit.ts): values
 * arrive as the arguments bound to `params`.
 */
import { JitError } from "./jit-error.js";
import { makeFunction } from "./make-function.js";

/** Runs `body` as a function of `params` applied to `args`, and returns what it returns. */
export function instantiate(params: string[], body: string, args: unknown[]): unknown {
  let factory: Function;
  try {
    factory = makeFunction(params, body);
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
    // Only where they differ: a redefined `name` or `length` takes the function off V8's initial
    // function map, and then `f.call(r, a, b)` on it is a generic call. A jitted method called so ran
    // 15.0 ns a call against 8.3 ns for the same version with its own name and length (cheap-ruler's
    // `distance` on its instance, /tmp/cr.mjs and /tmp/cr2.mjs probes, Node 20.20.2).
    if (d && !sameDescriptor(Reflect.getOwnPropertyDescriptor(main, key), d)) Reflect.defineProperty(main, key, d);
  }
  if (Object.prototype.hasOwnProperty.call(main, "prototype") && original.prototype !== undefined) {
    Reflect.defineProperty(main, "prototype", { value: original.prototype, writable: true, enumerable: false, configurable: false });
  }
  return main;
}

function sameDescriptor(a: PropertyDescriptor | undefined, b: PropertyDescriptor): boolean {
  return a !== undefined && "value" in a && "value" in b && Object.is(a.value, b.value) && a.writable === b.writable && a.enumerable === b.enumerable && a.configurable === b.configurable;
}
