// The generated source of every fixture and every real library's natural explicit use, in one
// text: `node scripts/dump-sources.mjs <dist> > out.txt`. Two builds whose outputs are the same
// file generate the same code (a check for changes meant to make compiles faster, not different).
import { pathToFileURL } from "node:url";
import { resolve } from "node:path";

const dist = pathToFileURL(resolve(process.argv[2] ?? "dist")).href;
const { jit, inspect } = await import(dist + "/index.js");
const fx = await import(dist + "/fixtures/index.js");
const real = await import(dist + "/fixtures/real/index.js");
const out = [];
for (const f of fx.fixtures) out.push(`## ${f.name}\n${inspect(jit(f.generic, { specialize: f.specialize, ...(f.scope ? { scope: f.scope } : {}) })).source}`);
for (const c of Object.values(real)) {
  if (!c || !c.lib) continue;
  for (const u of c.natural) {
    if (u.tiering) continue;
    const fn = u.make().fn;
    out.push(`## ${c.lib} ${u.label}\n${inspect(fn).source ?? inspect(fn).fallbackReason}`);
  }
}
console.log(out.join("\n"));
