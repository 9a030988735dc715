/**
 * A batch runner with its own call site, for benchmarks that compare several
 * versions of one function. Runners are made with `new Function` on purpose:
 * closures from one literal share V8 feedback, so a shared loop would see every
 * variant at one call site, go polymorphic and stop inlining, penalizing
 * whichever ran last. Results escape through one `do_not_optimize` per batch
 * (one per call cost about 15 ns here, more than a whole Horner evaluation).
 */
import { do_not_optimize } from "./harness.js";

export function makeRunner(fn: Function, batch: unknown[][]): () => void {
  const arity = batch[0]!.length;
  const call = Array.from({ length: arity }, (_, i) => `a[${i}]`).join(", ");
  const body = `const results = new Array(batch.length).fill(0);\nreturn function runBatch() {\n  for (let i = 0; i < batch.length; i++) {\n    const a = batch[i];\n    results[i] = fn(${call});\n  }\n  do_not_optimize(results);\n};`;
  return new Function("fn", "batch", "do_not_optimize", body)(fn, batch, do_not_optimize);
}
