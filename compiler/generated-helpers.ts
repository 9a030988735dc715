/**
 * The functions of kos's own that generated code may call, by name: what the compile cache
 * reaches them through (`values.kos.<name>`, cache.ts), and what assemble.ts counts as kos's
 * calls, not the program's.
 */
import { bufferOf, hasIntrinsicLength, isTypedArray } from "./typed-array-checks.js";
import { quoteJsonString } from "./json-quote.js";
import { constructAs } from "./dispatcher.js";

export const KOS_HELPERS = Object.freeze({
  isTypedArray,
  bufferOf,
  hasIntrinsicLength,
  // `JSON.stringify(s)` of a string (specialize/call-dispatch.ts).
  quoteJsonString,
  // `new` of a version whose body reads `new.target` constructs the original (assemble.ts).
  constructAs,
  // A failed guard runs the original through it (assemble.ts): the original's own `apply` may be missing.
  apply: Reflect.apply,
});
