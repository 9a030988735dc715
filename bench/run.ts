/**
 * `npm run bench [-- --only id[,id]]`: runs every `*.bench.js` suite next to
 * this file in one process, prints each section, and writes BENCHMARKS.md.
 * With --only, the other sections already in BENCHMARKS.md are kept as they were.
 */
import { readdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import os from "node:os";
import type { BenchSection } from "./harness.js";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const outFile = join(repoRoot, "BENCHMARKS.md");

function parseOnly(argv: string[]): Set<string> | null {
  const i = argv.indexOf("--only");
  if (i < 0 || !argv[i + 1]) return null;
  return new Set(argv[i + 1]!.split(","));
}

function readExistingSections(): Map<string, string> {
  const sections = new Map<string, string>();
  if (!existsSync(outFile)) return sections;
  const text = readFileSync(outFile, "utf8");
  const re = /<!-- section:(\S+) -->\n([\s\S]*?)<!-- \/section:\1 -->/g;
  for (const m of text.matchAll(re)) sections.set(m[1]!, m[2]!);
  return sections;
}

async function main() {
  const only = parseOnly(process.argv.slice(2));
  const files = readdirSync(here).filter((f) => f.endsWith(".bench.js")).sort();
  const sections = readExistingSections();
  for (const file of files) {
    const id = file.replace(/\.bench\.js$/, "");
    if (only && !only.has(id)) continue;
    const started = Date.now();
    console.log(`\n## ${id} …`);
    const mod = await import(pathToFileURL(join(here, file)).href);
    const section: BenchSection = await mod.default();
    const body = `## ${section.title}\n\n${section.markdown}\n\n_Suite \`${id}\` took ${((Date.now() - started) / 1000).toFixed(1)} s._\n`;
    console.log(body);
    sections.set(id, body);
  }
  const cpu = os.cpus()[0]?.model ?? "unknown CPU";
  const header = `# kos benchmarks\n\nWritten by \`npm run bench\` on ${new Date().toISOString().slice(0, 10)}: Node ${process.version}, ${os.cpus().length} × ${cpu}. ` +
    `Times are mitata medians per call; ratios are computed within one process run. The machine is shared and noisy: read ratios, not absolute times.\n`;
  const parts = [...sections.keys()].sort().map((id) => `<!-- section:${id} -->\n${sections.get(id)}<!-- /section:${id} -->`);
  writeFileSync(outFile, `${header}\n${parts.join("\n\n")}\n`);
  console.log(`\nwrote ${outFile}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
