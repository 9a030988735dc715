// A program that wraps its hot kernel in jit() as a user would: the weights are
// a deep-frozen constant, so tiering compiles a version specialized on them. Its
// run is short (about 0.2 s), so by default its compile would wait for tiering's
// compile budget (1% of the process's CPU time); the budget is lifted here, as a
// service that wants its kernel compiled at once would, so that the profile has
// a compiled version to name.
import { jit } from "kos";

function dot(w, x) {
  let s = 0;
  for (let i = 0; i < w.length; i++) s += w[i] * x[i];
  return s;
}

// 48 weights: the compiled version is too big for V8 to inline into the loop below, so the
// profile samples it as a frame of its own (inlined code would count as the caller's).
const W = Object.freeze(Array.from({ length: 48 }, (_, i) => ((i * 7) % 11) / 4 - 1));
const fastDot = jit(dot, { tiering: { compileBudget: 1 } });
const xs = Array.from({ length: 256 }, (_, k) => Array.from({ length: 48 }, (_, i) => Math.sin(k + i)));
const rounds = Number(process.argv[2] ?? 4000);
let acc = 0;
for (let r = 0; r < rounds; r++) for (let k = 0; k < xs.length; k++) acc += fastDot(W, xs[k]);
console.log(acc.toFixed(3));
