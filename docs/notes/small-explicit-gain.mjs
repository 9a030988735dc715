// Explicit `jit(fn, { specialize })` versions that fold little, against the library's own call:
// interleaved batches in one process, CPU time (process.cpuUsage), medians per call.
//   flock /tmp/kos-bench.lock nice -n 19 node docs/notes/small-explicit-gain.mjs [rounds] [only,...] [other dist]
// Prints, per case: the library's and the version's CPU µs a call (medians of the rounds), their
// ratio (library / jit: below 1 the jitted function is slower), and what inspect() says. With another
// build's dist (say the base commit's), its jit runs in the same rounds, as "base".
import { pathToFileURL } from "node:url";
import * as kos from "../../dist/index.js";
import xss from "xss";
import minimist from "minimist";
import Papa from "papaparse";
import { parseDocument } from "htmlparser2";
import slugify from "slugify";

const ROUNDS = Number(process.argv[2] ?? 15);
const only = process.argv[3] && process.argv[3] !== "all" ? process.argv[3].split(",") : undefined;
const other = process.argv[4] ? await import(pathToFileURL(`${process.argv[4]}/index.js`).href) : null;

const filter = new xss.FilterXSS({});
const html = '<div class="a" onclick="x()"><a href="javascript:alert(1)" title="t">link</a><script>evil()</script><p style="color:red">text &amp; more <b>bold</b></p></div>';
const argv = ["--name", "kos", "-v", "--count=3", "-x", "5", "file1", "--no-color", "file2", "--", "rest"];
const mOpts = { string: ["name"], boolean: ["v", "color"], alias: { v: "verbose" }, default: { count: 1 } };
const csv = "a,b,c\n1,2,3\n4,5,\"six, 6\"\n7,8,9\n";
const pOpts = { header: true, dynamicTyping: true, skipEmptyLines: true };
const doc = "<html><body><div id=main class=c><p>Hello <b>world</b> &amp; more</p><ul><li>1<li>2</ul><img src=x.png></div></body></html>";
const hOpts = { lowerCaseTags: true, decodeEntities: true };
const title = "Héllo Wörld: the Quick & brown fox — 2026 édition!";
const sOpts = { lower: true, strict: true, replacement: "-" };

/** [name, library call, jitted function, its call] */
const cases = [
  ["xss FilterXSS#process on its instance", () => filter.process(html), (jit) => jit(filter.process, { specialize: { this: filter } }), (j) => () => j.call(filter, html)],
  ["minimist on its options", () => minimist(argv, mOpts), (jit) => jit(minimist, { specialize: { opts: mOpts } }), (j) => () => j(argv, mOpts)],
  ["papaparse parse on its config", () => Papa.parse(csv, pOpts), (jit) => jit(Papa.parse, { specialize: { _config: pOpts } }), (j) => () => j(csv, pOpts)],
  ["htmlparser2 parseDocument on its options", () => parseDocument(doc, hOpts), (jit) => jit(parseDocument, { specialize: { options: hOpts } }), (j) => () => j(doc, hOpts)],
  ["slugify on its options", () => slugify(title, sOpts), (jit) => jit(slugify, { specialize: { options: sOpts } }), (j) => () => j(title, sOpts)],
].filter(([name]) => !only || only.some((o) => name.startsWith(o)));

let sink;
const cpuUs = () => {
  const u = process.cpuUsage();
  return u.user + u.system;
};
/** CPU µs a call over `n` calls. */
function batch(run, n) {
  const t0 = cpuUs();
  for (let i = 0; i < n; i++) sink = run();
  return (cpuUs() - t0) / n;
}
const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

for (const [name, lib, make, callOf] of cases) {
  const j = make(kos.jit);
  const runs = { library: lib, jit: callOf(j), ...(other ? { base: callOf(make(other.jit)) } : {}) };
  // Warm each past the gain check's windows (at most call 16000 for small versions).
  for (const k in runs) for (let i = 0; i < 40_000; i++) sink = runs[k]();
  // Batches of about 10 ms.
  const per = batch(lib, 2000);
  const n = Math.max(200, Math.round(10_000 / Math.max(per, 0.01)));
  const times = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  const ratios = Object.fromEntries(Object.keys(runs).map((k) => [k, []]));
  for (let r = 0; r < ROUNDS; r++) {
    const keys = Object.keys(runs);
    if (r % 2) keys.reverse();
    const got = {};
    for (const k of keys) times[k].push((got[k] = batch(runs[k], n)));
    for (const k of keys) ratios[k].push(got.library / got[k]);
  }
  const q = (xs, f) => [...xs].sort((x, y) => x - y)[Math.floor(f * (xs.length - 1))].toFixed(3);
  const info = kos.inspect(j);
  console.log(`${name}: ${Object.keys(runs).map((k) => `${k} ${median(times[k]).toFixed(3)} µs${k === "library" ? "" : ` (library/${k} ${median(ratios[k]).toFixed(3)}, quartiles ${q(ratios[k], 0.25)}-${q(ratios[k], 0.75)})`}`).join(", ")} (CPU medians of ${ROUNDS}); this tree: tier ${info?.tier}${info?.fallbackReason ? `: ${info.fallbackReason.slice(0, 300)}` : ""}; size ${info?.source?.length ?? 0} chars`);
  for (const h of info?.history ?? []) if (h.event !== "compiled") console.log(`    ${h.event}: ${String(h.detail).slice(0, 240)}`);
}
