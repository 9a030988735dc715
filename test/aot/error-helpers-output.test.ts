/**
 * Compiled code that throws the engine's own message for a for-of over a value that is not
 * iterable calls a helper of kos's (compiler/error-helpers.ts). `kos build`'s output cannot reach
 * kos at run time, so it binds the helper's self-contained source: a rule interpreter looping
 * `for (const r of rule.args)` was skipped with "the optimized code needs `$k_ref_0`, a value the
 * output module cannot reach".
 */
import { describe, it, expect, afterAll } from "vitest";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { kosBuild } from "../../aot/build.js";

const tsc = fileURLToPath(new URL("../../node_modules/typescript/bin/tsc", import.meta.url));
const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

const SOURCE = `
export type Rule = { op: "and" | "or"; args: Rule[] } | { op: "gt"; field: string; value: number } | { op: "not"; arg: Rule };
/** @kos.jit */
export function evalRule(rule: Rule, data: Record<string, unknown>): boolean {
  switch (rule.op) {
    case "and": { for (const r of rule.args) if (!evalRule(r, data)) return false; return true; }
    case "or": { for (const r of rule.args) if (evalRule(r, data)) return true; return false; }
    case "not": return !evalRule(rule.arg, data);
    case "gt": return (data[rule.field] as number) > rule.value;
  }
}
`;

function outcome(f: () => unknown): string {
  try {
    return `value ${JSON.stringify(f())}`;
  } catch (e) {
    return `${(e as Error).constructor.name}: ${(e as Error).message}`;
  }
}

describe("kos build binds kos's error helpers by their source", () => {
  it("compiles a for-of interpreter and keeps the engine's 'x is not iterable' messages", async () => {
    const root = mkdtempSync(join(tmpdir(), "kos-aot-helpers-"));
    roots.push(root);
    writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ES2022", moduleResolution: "Bundler", strict: true, rootDir: "src", outDir: "out", types: [] }, include: ["src"] }));
    writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
    mkdirSync(join(root, "src"));
    writeFileSync(join(root, "src", "rules.ts"), SOURCE);
    execFileSync(process.execPath, [tsc, "-p", root, "--outDir", join(root, "plain")], { stdio: "pipe" });
    const report = await kosBuild({ project: join(root, "tsconfig.json"), out: join(root, "out") });
    const fn = report.functions.find((f) => f.name === "evalRule");
    expect(fn?.status, fn?.reason).toBe("optimized");
    expect(readFileSync(join(root, "out", "rules.js"), "utf8")).toContain("function iterableAsWritten");
    const plain = (await import(pathToFileURL(join(root, "plain", "rules.js")).href)) as { evalRule: (r: unknown, d: object) => boolean };
    const built = (await import(pathToFileURL(join(root, "out", "rules.js")).href)) as typeof plain;
    const rules: unknown[] = [
      { op: "and", args: [{ op: "gt", field: "a", value: 1 }, { op: "not", arg: { op: "gt", field: "b", value: 5 } }] },
      { op: "or", args: [] },
      ...[null, undefined, 5, "ab", {}, { [Symbol.iterator]: 3 }, new Map(), new Set([{ op: "gt", field: "a", value: 0 }])].map((args) => ({ op: "and", args })),
      { op: "or", args: [{ op: "and", args: null }] },
    ];
    for (const data of [{ a: 2, b: 1 }, { a: 0, b: 9 }, {}]) {
      rules.forEach((rule, i) => expect(outcome(() => built.evalRule(rule, data)), `rule ${i}`).toBe(outcome(() => plain.evalRule(rule, data))));
    }
    expect(outcome(() => built.evalRule({ op: "and", args: null }, {}))).toBe("TypeError: rule.args is not iterable");
  }, 120_000);
});
