/**
 * The package sweep: how much of the code installed in node_modules `jit()`
 * can compile, and why the rest falls back.
 *
 *     npm run build && node dist/bench/sweep-packages.js [--out docs/sweep.md] [--only a,b] [--budget-s 300] [--label "…"]
 *     node dist/bench/sweep-packages.js --report-only <results.json>   (rewrite the report from a saved run)
 *
 * An existing report at --out is read first: the new one compares its reason counts with it.
 *
 * Every top-level package in node_modules (scoped ones included) is loaded in
 * its own child process, time-boxed, so that a package with side effects on
 * import (a server, a CLI, a hook) cannot hang or pollute the sweep. The child
 * `import()`s the package and walks what it exports: exported functions,
 * functions held by exported objects and functions, and the methods and
 * accessors on the prototypes of exported classes, to depth 2 (export → its
 * properties → theirs). Getters are invoked only on the export objects
 * themselves (CommonJS re-export bindings); built-in prototypes are not walked. Each distinct function (by identity) goes through
 * `compileVersion(fn, {})`, the compile step of `jit(fn)`, which builds the
 * guarded version without ever running the function. The parent adds up the
 * fallback reason codes and writes docs/sweep.md.
 */
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import os from "node:os";

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = join(here, "..", "..");
const nodeModules = join(repoRoot, "node_modules");

/**
 * Inside the child: stop compiling after this long and report the package as
 * truncated (`--budget-s`). With the committed compiler (23141da) the largest
 * package, ts-morph (7,903 functions), took 1.4 s; during the issue 9/10
 * rewrite, 90 s covered 3,756 of them and only 440 of @ts-morph/common's 2,493
 * (its functions close over the 130k-line typescript.js module).
 */
const DEFAULT_BUDGET_S = 300;
/** The child's wall-clock limit is the budget plus this margin for loading and reporting. */
const CHILD_MARGIN_MS = 60_000;
const MAX_DEPTH = 2;
const MARKER = "@@kos-sweep@@";

/**
 * Packages not loaded, with the reason. Loading them has effects beyond
 * defining functions: test runners that need their own runtime, and modules
 * that install process-wide hooks at import.
 */
const SKIP: Record<string, string> = {
  vitest: "test runner: its API throws outside a running test, and importing it starts runner state",
  "@vitest": "test runner internals (see vitest)",
  "why-is-node-running": "installs an async_hooks hook on import",
  tsx: "registers a module loader hook on import",
};

export interface PackageResult {
  name: string;
  status: "ok" | "skipped" | "load-error" | "timeout" | "crashed";
  detail?: string;
  functions: number;
  /** Reason code → number of functions ("COMPILED" for those that compiled). */
  reasons: Record<string, number>;
  /** A few example fallbacks per code: "exportPath: reason". */
  examples: Record<string, string[]>;
  truncated?: boolean;
  ms: number;
  /** [hash of the function's source text, its code] per function, for counting distinct sources across packages. */
  sources?: Array<[string, string]>;
}

function listPackages(): string[] {
  const names: string[] = [];
  for (const entry of readdirSync(nodeModules)) {
    if (entry.startsWith(".")) continue;
    if (entry.startsWith("@")) {
      for (const sub of readdirSync(join(nodeModules, entry))) names.push(`${entry}/${sub}`);
    } else names.push(entry);
  }
  return names.sort();
}

function skipReason(name: string): string | null {
  if (SKIP[name]) return SKIP[name]!;
  const scope = name.startsWith("@") ? name.split("/")[0]! : null;
  if (scope && SKIP[scope]) return SKIP[scope]!;
  if (name.startsWith("@types/")) return "type declarations only";
  const pkgFile = join(nodeModules, name, "package.json");
  if (!existsSync(pkgFile)) return "no package.json";
  try {
    const pkg = JSON.parse(readFileSync(pkgFile, "utf8"));
    const hasEntry = pkg.main || pkg.exports || pkg.module || existsSync(join(nodeModules, name, "index.js"));
    if (!hasEntry && pkg.bin) return "a CLI only (bin, no main or exports)";
  } catch (e) {
    return `unreadable package.json: ${(e as Error).message}`;
  }
  return null;
}

// ---------------------------------------------------------------- child side

const BUILTIN_PROTOTYPES = new Set<unknown>([Object.prototype, Function.prototype, Array.prototype, Error.prototype, Promise.prototype, RegExp.prototype, Map.prototype, Set.prototype, Date.prototype]);

/**
 * Every distinct function reachable from the module's exports to MAX_DEPTH,
 * with the path that reached it first. The namespace and its `default` (a
 * CommonJS module's `module.exports`) are both depth 0. Their accessor
 * properties are export bindings (Babel's and TypeScript's CommonJS output
 * re-exports through getters), so those are read; every other getter is
 * counted as a function and never invoked.
 */
export function collectFunctions(namespace: Record<string, unknown>, rootName: string): Map<Function, string> {
  const found = new Map<Function, string>();
  const seen = new Set<unknown>();
  const roots = new Set<unknown>([namespace]);
  const fallback = namespace.default;
  if (fallback !== null && (typeof fallback === "object" || typeof fallback === "function")) roots.add(fallback);
  const visit = (value: unknown, path: string, depth: number) => {
    if (value === null || (typeof value !== "object" && typeof value !== "function")) return;
    if (seen.has(value) || BUILTIN_PROTOTYPES.has(value)) return;
    seen.add(value);
    if (typeof value === "function" && !found.has(value)) found.set(value, path);
    if (depth >= MAX_DEPTH) return;
    let descriptors: Record<string, PropertyDescriptor>;
    try {
      descriptors = Object.getOwnPropertyDescriptors(value);
    } catch {
      return;
    }
    const isExports = roots.has(value);
    for (const [key, d] of Object.entries(descriptors)) {
      if (typeof value === "function" && (key === "prototype" || key === "length" || key === "name" || key === "caller" || key === "arguments")) continue;
      if (isExports && key === "default") continue;
      if ("value" in d) visit(d.value, `${path}.${key}`, depth + 1);
      else if (isExports && typeof d.get === "function") {
        let bound: unknown;
        try {
          bound = (value as Record<string, unknown>)[key];
        } catch {
          continue;
        }
        visit(bound, `${path}.${key}`, depth + 1);
      } else {
        if (typeof d.get === "function" && !found.has(d.get)) found.set(d.get, `${path}.get ${key}`);
        if (typeof d.set === "function" && !found.has(d.set)) found.set(d.set, `${path}.set ${key}`);
      }
    }
    // A class or constructor function: the methods on its prototype and on the prototypes it inherits
    // from (a base class that the package does not export), at the same depth as its static members.
    if (typeof value === "function") {
      let proto = (value as { prototype?: unknown }).prototype;
      let where = `${path}.prototype`;
      while (proto && typeof proto === "object" && !BUILTIN_PROTOTYPES.has(proto)) {
        visit(proto, where, depth);
        proto = Object.getPrototypeOf(proto);
        where = `${where}.[[Prototype]]`;
      }
    }
  };
  for (const root of roots) visit(root, root === namespace ? rootName : `${rootName}.default`, 0);
  return found;
}

function codeOf(reason: string | null): string {
  const m = /^([A-Z_]+):/.exec(reason ?? "");
  return m ? m[1]! : "OTHER";
}

async function sweepOne(name: string, budgetMs: number): Promise<PackageResult> {
  const started = performance.now();
  const result: PackageResult = { name, status: "ok", functions: 0, reasons: {}, examples: {}, ms: 0, sources: [] };
  let mod: Record<string, unknown>;
  try {
    mod = await import(name);
  } catch (e) {
    return { ...result, status: "load-error", detail: String((e as Error)?.message ?? e).split("\n")[0]!.slice(0, 160), ms: performance.now() - started };
  }
  const { compileVersion } = await import("../index.js");
  const functions = collectFunctions(mod, name);
  for (const [fn, path] of functions) {
    if (performance.now() - started > budgetMs) {
      result.truncated = true;
      break;
    }
    let code: string;
    let reason: string | null = null;
    try {
      const v = compileVersion(fn, {});
      code = v.ok ? "COMPILED" : codeOf(v.fallbackReason);
      reason = v.fallbackReason;
    } catch (e) {
      code = "THREW";
      reason = String((e as Error)?.message ?? e);
    }
    result.functions++;
    result.reasons[code] = (result.reasons[code] ?? 0) + 1;
    let text: string;
    try {
      text = Function.prototype.toString.call(fn);
    } catch {
      text = path;
    }
    result.sources!.push([createHash("sha1").update(text).digest("hex").slice(0, 16), code]);
    const ex = (result.examples[code] ??= []);
    if (ex.length < 2 && code !== "COMPILED") ex.push(`${path}: ${(reason ?? "").slice(0, 140)}`);
  }
  result.ms = performance.now() - started;
  return result;
}

// ---------------------------------------------------------------- parent side

function runChild(name: string, budgetS: number): PackageResult {
  const started = Date.now();
  const timeoutMs = budgetS * 1000 + CHILD_MARGIN_MS;
  const child = spawnSync(process.execPath, [fileURLToPath(import.meta.url), "--one", name, "--budget-s", String(budgetS)], {
    cwd: os.tmpdir(),
    encoding: "utf8",
    timeout: timeoutMs,
    maxBuffer: 64 * 1024 * 1024,
    env: { ...process.env, KOS_CACHE: "0", NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const base: PackageResult = { name, status: "crashed", functions: 0, reasons: {}, examples: {}, ms: Date.now() - started };
  const line = child.stdout?.split("\n").find((l) => l.startsWith(MARKER));
  if (line) return JSON.parse(line.slice(MARKER.length)) as PackageResult;
  if (child.error && (child.error as NodeJS.ErrnoException).code === "ETIMEDOUT") return { ...base, status: "timeout", detail: `no result within ${timeoutMs / 1000} s` };
  return { ...base, detail: `exit ${child.status ?? child.signal}: ${(child.stderr ?? "").trim().split("\n").pop()?.slice(0, 160) ?? ""}` };
}

function pct(n: number, total: number): string {
  return total ? `${((100 * n) / total).toFixed(1)}%` : "—";
}

/** The reason counts and the "Written by" line of a report this script wrote before, to compare against. */
interface PreviousRun {
  written: string;
  counts: Record<string, number>;
  total: number;
}

function readPrevious(file: string): PreviousRun | null {
  if (!existsSync(file)) return null;
  const text = readFileSync(file, "utf8");
  const written = /^Written by .*$/m.exec(text)?.[0] ?? "";
  const result = text.split("## Result")[1]?.split("\n\n## ")[0] ?? "";
  const counts: Record<string, number> = {};
  for (const m of result.matchAll(/^\| ([A-Z_]+) \| (\d+) \| /gm)) counts[m[1]!] = Number(m[2]);
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  return total > 0 ? { written, counts, total } : null;
}

function report(results: PackageResult[], wallMs: number, label: string | null, previous: PreviousRun | null, budgetS: number): string {
  const swept = results.filter((r) => r.status === "ok");
  const total = swept.reduce((s, r) => s + r.functions, 0);
  const totals: Record<string, number> = {};
  const examples: Record<string, string[]> = {};
  for (const r of swept) {
    for (const [code, n] of Object.entries(r.reasons)) totals[code] = (totals[code] ?? 0) + n;
    for (const [code, ex] of Object.entries(r.examples)) {
      const list = (examples[code] ??= []);
      for (const e of ex) if (list.length < 3) list.push(`${e}`);
    }
  }
  const compiled = totals.COMPILED ?? 0;
  const rows = Object.entries(totals).sort((a, b) => b[1] - a[1]);
  const line = (cells: Array<string | number>) => `| ${cells.map((c) => String(c).replace(/\|/g, "\\|").replace(/\n/g, " ")).join(" | ")} |`;
  const out: string[] = [];
  out.push("# Package sweep: what `jit()` compiles in node_modules", "");
  out.push(`Written by \`node dist/bench/sweep-packages.js\` on ${new Date().toISOString().slice(0, 16).replace("T", " ")} UTC, Node ${process.version}, in ${(wallMs / 1000).toFixed(0)} s.${label ? ` ${label}.` : ""}`, "");
  out.push("## How it was counted", "");
  out.push(
    "- Every top-level package directory in `node_modules` (scoped packages included) is loaded with `import()` in its own child process, time-boxed " +
      `(a compile budget of ${budgetS} s per package, after which the package is reported as truncated), and skipped if it is declaration-only, a CLI with no entry, or on the skip list (side effects on import).`,
    `- From each package's exports, every distinct function (by identity) reachable to depth ${MAX_DEPTH} is counted: exported functions, functions held by exported objects and functions, ` +
      "and the methods and getters/setters on the prototypes of exported classes, inherited ones included (a prototype counts at its class's depth). The module namespace and its `default` (a CommonJS `module.exports`) are both depth 0, " +
      "and their getters are read as export bindings (Babel/TypeScript CommonJS re-exports); every other getter is counted as a function and never invoked. Built-in prototypes are not walked. " +
      "Each function is counted once per package (by identity).",
    "- Each function goes through `compileVersion(fn, {})` (exported by kos's index.ts): the compile step of `jit(fn)`, which never runs the function. " +
      "Its `fallbackReason` starts with the reason code. No `scope`, `specialize` or receiver is given: this is what a user gets from a bare `jit(fn)`.",
    "- Comparability: the sweep that issue 10 quotes (7,316 functions; FREE_VARIABLE and USES_THIS three fallbacks in four) left no script or notes in this repository " +
      "(nothing under docs/notes/, nothing in `git log -p`). This sweep follows its description (functions of installed packages, fallback reasons split by code) and is rerunnable; " +
      "its counts are the baseline from now on. The package set also changed since (devDependencies of the real-interpreter suite were added).",
    "",
  );
  out.push("## Result", "");
  out.push(`**${compiled} of ${total} functions compile (${pct(compiled, total)})**, from ${swept.length} packages loaded.`, "");
  out.push(line(["reason code", "functions", "share", "examples (export path: reason)"]), line(["---", "---", "---", "---"]));
  for (const [code, n] of rows) out.push(line([code, n, pct(n, total), (examples[code] ?? []).slice(0, 2).join("<br>")]));
  out.push("");
  // Packages bundle and re-export each other (safe-buffer re-exports buffer, ts-morph re-exports parts of
  // @ts-morph/common): the same function source counted once, with the code it got where first seen.
  const distinct = new Map<string, string>();
  for (const r of swept) for (const [hash, code] of r.sources ?? []) if (!distinct.has(hash)) distinct.set(hash, code);
  const distinctTotals: Record<string, number> = {};
  for (const code of distinct.values()) distinctTotals[code] = (distinctTotals[code] ?? 0) + 1;
  const dCompiled = distinctTotals.COMPILED ?? 0;
  out.push(`Counting each distinct function source once across all packages: **${dCompiled} of ${distinct.size} compile (${pct(dCompiled, distinct.size)})**. ` +
    `Split: ${Object.entries(distinctTotals).sort((a, b) => b[1] - a[1]).map(([c, n]) => `${c} ${n} (${pct(n, distinct.size)})`).join(", ")}.`, "");
  const fallbacks = total - compiled;
  const fv = (totals.FREE_VARIABLE ?? 0) + (totals.USES_THIS ?? 0);
  out.push(`FREE_VARIABLE and USES_THIS together: ${fv} of ${fallbacks} fallbacks (${pct(fv, fallbacks)}).`, "");
  out.push(`Issue 10's target, more than half of all functions compiling: ${pct(compiled, total)} counted per package, ${pct(dCompiled, distinct.size)} over distinct sources: ` +
    `${compiled * 2 > total && dCompiled * 2 > distinct.size ? "met" : "not met"}.`, "");
  if (previous) {
    out.push("## Compared with the previous run", "");
    out.push(`Previous: ${previous.written.replace(/^Written by /, "written by ")}`, "");
    const truncated = swept.filter((r) => r.truncated).map((r) => r.name);
    if (truncated.length) out.push(`**Not comparable as totals:** ${truncated.join(", ")} ran out of the compile budget in this run, so fewer of their functions were counted.`, "");
    out.push(line(["reason code", "previous", "now", "change"]), line(["---", "---", "---", "---"]));
    const codes = [...new Set([...Object.keys(previous.counts), ...Object.keys(totals)])].sort((a, b) => (totals[b] ?? 0) - (totals[a] ?? 0));
    for (const code of codes) {
      const was = previous.counts[code] ?? 0, now = totals[code] ?? 0;
      out.push(line([code, `${was} (${pct(was, previous.total)})`, `${now} (${pct(now, total)})`, `${now - was >= 0 ? "+" : ""}${now - was}`]));
    }
    out.push(line(["all functions", previous.total, total, `${total - previous.total >= 0 ? "+" : ""}${total - previous.total}`]), "");
  }
  out.push("## Packages", "");
  const byStatus = (s: PackageResult["status"]) => results.filter((r) => r.status === s);
  out.push(`${results.length} package directories: ${swept.length} swept, ${byStatus("skipped").length} skipped, ${byStatus("load-error").length} failed to load, ` +
    `${byStatus("timeout").length} timed out, ${byStatus("crashed").length} crashed; ${swept.filter((r) => r.truncated).length} truncated by the compile budget.`, "");
  out.push("Largest packages by functions:", "");
  out.push(line(["package", "functions", "compiled", "top fallback reasons", "time"]), line(["---", "---", "---", "---", "---"]));
  for (const r of [...swept].sort((a, b) => b.functions - a.functions).slice(0, 25)) {
    const top = Object.entries(r.reasons).filter(([c]) => c !== "COMPILED").sort((a, b) => b[1] - a[1]).slice(0, 3).map(([c, n]) => `${c} ${n}`).join(", ");
    out.push(line([r.name + (r.truncated ? " (truncated)" : ""), r.functions, `${r.reasons.COMPILED ?? 0} (${pct(r.reasons.COMPILED ?? 0, r.functions)})`, top, `${(r.ms / 1000).toFixed(1)} s`]));
  }
  out.push("");
  const notSwept = results.filter((r) => r.status !== "ok");
  if (notSwept.length) {
    out.push("Not swept:", "");
    out.push(line(["package", "status", "why"]), line(["---", "---", "---"]));
    for (const r of notSwept) out.push(line([r.name, r.status, r.detail ?? ""]));
    out.push("");
  }
  return out.join("\n");
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const budgetIdx = argv.indexOf("--budget-s");
  const budgetS = budgetIdx >= 0 ? Number(argv[budgetIdx + 1]) : DEFAULT_BUDGET_S;
  const one = argv.indexOf("--one");
  if (one >= 0) {
    const result = await sweepOne(argv[one + 1]!, budgetS * 1000);
    process.stdout.write(`\n${MARKER}${JSON.stringify(result)}\n`, () => process.exit(0));
    return;
  }
  const outIdx = argv.indexOf("--out");
  const outFile = outIdx >= 0 ? argv[outIdx + 1]! : join(repoRoot, "docs", "sweep.md");
  const onlyIdx = argv.indexOf("--only");
  const only = onlyIdx >= 0 ? new Set(argv[onlyIdx + 1]!.split(",")) : null;
  // --label "…": one sentence for the report, e.g. which compiler version was swept.
  const labelIdx = argv.indexOf("--label");
  const label = labelIdx >= 0 ? argv[labelIdx + 1]! : null;
  // --report-only <results.json>: rewrite the report from a saved run without sweeping again.
  const reportIdx = argv.indexOf("--report-only");
  if (reportIdx >= 0) {
    const saved = JSON.parse(readFileSync(argv[reportIdx + 1]!, "utf8")) as { results: PackageResult[]; wallMs: number; label: string | null; budgetS?: number };
    writeFileSync(outFile, report(saved.results, saved.wallMs, label ?? saved.label, readPrevious(outFile), saved.budgetS ?? budgetS) + "\n");
    console.log(`wrote ${relative(process.cwd(), outFile)}`);
    return;
  }
  const started = Date.now();
  const results: PackageResult[] = [];
  for (const name of listPackages().filter((n) => !only || only.has(n))) {
    const skip = skipReason(name);
    if (skip) {
      results.push({ name, status: "skipped", detail: skip, functions: 0, reasons: {}, examples: {}, ms: 0 });
      continue;
    }
    const r = runChild(name, budgetS);
    results.push(r);
    console.log(`${name}: ${r.status}${r.status === "ok" ? `, ${r.functions} functions, ${r.reasons.COMPILED ?? 0} compiled${r.truncated ? " (truncated)" : ""}` : ` (${r.detail ?? ""})`}`);
  }
  const wallMs = Date.now() - started;
  // The raw results, so that the report can be rewritten (--report-only) without sweeping again.
  const rawFile = join(os.tmpdir(), "kos-sweep-results.json");
  writeFileSync(rawFile, JSON.stringify({ results, wallMs, label, budgetS }));
  writeFileSync(outFile, report(results, wallMs, label, readPrevious(outFile), budgetS) + "\n");
  console.log(`raw results: ${rawFile}`);
  console.log(`wrote ${relative(process.cwd(), outFile)}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
