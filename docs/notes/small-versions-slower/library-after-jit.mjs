import { createRequire } from "node:module";
const require_ = createRequire(import.meta.url);
const humanize = require_("humanize-duration");
const hOpts = { largest: 2, round: true, units: ["y", "mo", "d", "h", "m", "s"], language: "de", conjunction: " und " };
const mode = process.argv[2];
if (mode !== "none") { const { jit } = await import("../../../dist/index.js"); if (mode === "jit") jit(humanize, { specialize: { humanizerOptions: hOpts } }); }
const spans = Array.from({length:200}, (_, i) => (i * 7919 * 60013) % 1e10);
const out = [];
for (let r = 0; r < 12; r++) {
  const c = process.cpuUsage();
  for (let i = 0; i < 5000; i++) humanize(spans[i % 200], hOpts);
  const u = process.cpuUsage(c);
  out.push(Math.round((u.user + u.system) * 1000 / 5000));
}
console.log(mode, out.join(" "));
