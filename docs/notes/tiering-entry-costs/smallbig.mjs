const { smallFunctionReason } = await import(process.argv[2] + "/compiler/small-function.js");
const body = Array.from({ length: 150 }, (_, k) => `  if (o.k${k} === ${k}) total += o.v${k} * ${k};`).join("\n");
const srcs = Array.from({ length: 200 }, (_, i) => `function big${i}(o) {\n  let total = ${i};\n${body}\n  return total;\n}`);
const small = Array.from({ length: 1000 }, (_, i) => `function clamp(x, lo, hi) { return x < lo ? lo : x > hi ? hi + ${i} : Math.abs(x); }`);
const loop = Array.from({ length: 1000 }, (_, i) => new Function("a", "b", `let s = 0;\nfor (let i = 0; i < a; i++) s += b * ${i};\nreturn s;`).toString());
for (const [n, xs] of [["big " + srcs[0].length + " chars", srcs], ["small clamp", small], ["3-line loop", loop]]) {
  const ts = []; for (let r = 0; r < 40; r++) { const t = process.hrtime.bigint(); for (const s of xs) smallFunctionReason(s); ts.push(Number(process.hrtime.bigint() - t) / xs.length); }
  ts.sort((a, b) => a - b); console.log(n.padEnd(18), "median ns", ts[20].toFixed(0), "min", ts[0].toFixed(0));
}
