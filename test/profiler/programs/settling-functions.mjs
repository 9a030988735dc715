// A program whose wrapped functions a KOS_PROFILE run settles on the original (compiling them cannot
// pay over a run this short), for the tests of the dormant tier's profile verdicts
// (test/compiler/dormant-profile.test.ts). It prints what it computed, what `inspect` shows of each
// function (its history's times left out), and whether kos's core loaded. With MIXED=1 it also wraps
// a function the profile does not know, which the core decides.
import { jit, inspect } from "kos";
import { coreLoaded } from "../../../dist/lazy-modules.js";

function add(a, b) {
  return a + b;
}
function scaleBy(k, x) {
  return k.f * x;
}
function label(s) {
  return s.length + 1;
}
// About a microsecond a call, on a constant: settled by the profile's cost model (its compile would not pay).
function poly(c, x) {
  let y = 0;
  for (let r = 0; r < 40; r++) for (let i = c.length - 1; i >= 0; i--) y = y * x + c[i];
  return y;
}
// Not wrapped: the samples of the run, so that `kos profile` has some of the program's own.
function busy(n) {
  let h = 0;
  for (let i = 0; i < n; i++) h = Math.imul(h ^ i, 0x2c1b3c6d) >>> 0;
  return h;
}

const k = Object.freeze({ f: 3 });
const c = Object.freeze([1, -2, 0.5, 0.25]);
const originals = [add, scaleBy, label, poly];
const fs = originals.map((f) => jit(f));
const extra = process.env.MIXED ? jit(function unseen(x) { return x - 1; }) : null;
let s = 0;
for (let i = 0; i < 20_000; i++) s += fs[0](i, 1) + fs[1](k, i) + fs[2](i & 1 ? "ab" : "abc") + (extra ? extra(i) : 0);
for (let i = 0; i < 6_000; i++) s += fs[3](c, 0.5);
s += busy(Number(process.argv[2] ?? 3_000_000));
const shown = (f) => {
  const info = inspect(f);
  return info && { ...info, history: info.history.map(({ at: _at, ...rest }) => rest) };
};
console.log(JSON.stringify({ s, same: fs.map((f, i) => f === originals[i]), inspect: [...fs, ...(extra ? [extra] : [])].map(shown), coreLoaded: coreLoaded() }));
