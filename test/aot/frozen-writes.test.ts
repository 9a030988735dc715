/**
 * kos build freezes the module objects it folds (compile-job.ts, policy `deep`): where the project
 * itself writes one, or lets it escape to code that might, the output would fail where the program
 * succeeds (`RULES.push(r)` threw "Cannot add property 3, object is not extensible" and the program
 * printed another count), so the function stays as written, with the reference named.
 */
import { afterAll, describe, expect, it } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { kosBuild } from "../../aot/build.js";

const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

/** Module `rules<k>.ts`: a rule matcher annotated to specialize on its module's rules, plus `extra`. */
const rules = (k: number, extra = "") => `
export interface Rule { field: string; op: "gt" | "lt"; value: number }
/** @kos.jit @kos.specialize rules=RULES${k} */
export function matches${k}(rules: Rule[], rec: Record<string, number>): boolean {
  for (const r of rules) {
    const v = rec[r.field]!;
    if (r.op === "gt" ? !(v > r.value) : !(v < r.value)) return false;
  }
  return true;
}
export const RULES${k}: Rule[] = [{ field: "a", op: "gt", value: 3 }, { field: "b", op: "lt", value: 10 }];
${extra}`;
const count = (k: number) => `(() => { let n = 0; for (let i = 0; i < 2000; i++) if (matches${k}(RULES${k}, { a: i % 7, b: i % 13 })) n++; return n; })()`;

/** Each case's module, and what main.ts does with its rules between two counts. */
const CASES: Array<{ label: string; extra?: string; between: string; reason: RegExp | null }> = [
  { label: "a mutating method in the same module", extra: "export function addRule(r: Rule) { RULES1.push(r); }\n", between: `addRule({ field: "a", op: "lt", value: 6 });`, reason: /^RULES1 has its method push called at rules1\.ts:\d+ \(`export function addRule/ },
  { label: "a field written from another module", between: `RULES2[0]!.value = 1;`, reason: /^RULES2 is written at main\.ts:\d+/ },
  { label: "an element kept in a variable, then written", between: `const first = RULES3[0]!; first.value = 1;`, reason: /^RULES3 escapes \(kept, returned or handed on\) at main\.ts:\d+/ },
  { label: "handed to another function that writes it", between: `loosen(RULES4);`, reason: /^RULES4 is handed to loosen\(\) at main\.ts:\d+/ },
  // Only read: primitives, comparisons, a read-only method and built-in, and the optimized function's own calls.
  { label: "only read", between: `checks.push(RULES5[0]!.value > 2 && RULES5.length === 2 && typeof RULES5 === "object" && RULES5.indexOf(RULES5[1]!) === 1 && Array.isArray(RULES5) && "op" in RULES5[0]! ? JSON.stringify(RULES5).length : -1);`, reason: null },
];

describe("kos build and the objects it freezes", () => {
  it("a function whose folded objects the project writes, or lets escape, stays as written, naming the reference; one it only reads is optimized; the output prints what tsc's does", async () => {
    const root = mkdtempSync(join(tmpdir(), "kos-aot-frozen-"));
    roots.push(root);
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ES2022", moduleResolution: "Bundler", strict: true, rootDir: "src", outDir: "out", types: [] }, include: ["src"] }));
    writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
    mkdirSync(join(root, "src"));
    const main: string[] = ["const counts: number[] = [];", "const checks: number[] = [];", "function loosen(rs: { value: number }[]) { for (const r of rs) r.value += 5; }"];
    CASES.forEach((c, i) => {
      const k = i + 1;
      writeFileSync(join(root, "src", `rules${k}.ts`), rules(k, c.extra));
      main.unshift(`import { matches${k}, RULES${k}${c.extra ? ", addRule" : ""} } from "./rules${k}.js";`);
      main.push(`counts.push(${count(k)});`, c.between, `counts.push(${count(k)});`);
    });
    main.push("console.log(JSON.stringify({ counts, checks }));");
    writeFileSync(join(root, "src", "main.ts"), main.join("\n"));
    execFileSync(process.execPath, [tsc, "-p", root, "--outDir", join(root, "plain")], { stdio: "pipe" });
    const report = await kosBuild({ project: root });
    const run = (dir: string) => execFileSync(process.execPath, [join(root, dir, "main.js")], { encoding: "utf8" });
    const plain = run("plain");
    expect(run("out")).toBe(plain);
    const { counts } = JSON.parse(plain) as { counts: number[] };
    CASES.forEach((c, i) => {
      const f = report.functions.find((x) => x.name === `matches${i + 1}`)!;
      if (c.reason === null) {
        expect(f.status, c.label).toBe("optimized");
        expect(f.frozen, c.label).toContain(`RULES${i + 1}`);
      } else {
        expect(f.status, c.label).toBe("skipped");
        expect(f.reason, c.label).toMatch(c.reason);
        // The write is real: the program's second count differs from its first.
        expect(counts[2 * i], c.label).not.toBe(counts[2 * i + 1]);
      }
    });
  });
});
