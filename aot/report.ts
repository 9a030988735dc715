/**
 * The report `kos build` writes next to its output (`kos-build-report.json`)
 * and prints: what was optimized, what was skipped and why, and the
 * assumptions (guards) each optimized function makes. It carries no
 * timestamps or absolute paths, so the same input gives the same bytes.
 */
import type { Assumption } from "../compiler/types.js";

export type Origin = "annotation" | "jit-call" | "profile";

export interface FunctionReport {
  /** Function name (for a call site, the function passed to jit). */
  name: string;
  /** Source file, relative to the tsconfig's directory. */
  file: string;
  line: number;
  column: number;
  origins: Origin[];
  status: "optimized" | "skipped";
  /** Why it was skipped (the compiler's fallback reason, or kos build's). */
  reason: string | null;
  /** Guards the optimized code checks at entry. */
  assumptions: Assumption[];
  /** Specialized values, described (`n = 4`, `schema = SCHEMA`). */
  specialized: string[];
  /** Parameters whose type guard was dropped because their TypeScript type is trusted. */
  trustedTypes: string[];
  /** Module-level objects the output freezes because the compiled code folded their contents. */
  frozen: string[];
  /** For profile entries: self time share in the profile. */
  selfPercent?: number;
  /**
   * Module values computed when the module loads (not fixed by the source) that the optimized code
   * folded: the output compares each with its build-time value once the module has loaded, and
   * keeps the original when one differs (build-time-values.ts). Present when there are any.
   */
  loadChecks?: string[];
}

export interface BuildReport {
  version: 1;
  /** The tsconfig's file name (paths in the report are relative to its directory). */
  tsconfig: string;
  profile: string | null;
  modules: number;
  functions: FunctionReport[];
  /** Profile entries above the threshold that name nothing in the project. */
  profileUnmatched: Array<{ name: string; file: string; line: number; reason: string }>;
  summary: { optimized: number; skipped: number };
  /** Present when TypeScript reported errors: their number. The output is then tsc's, unoptimized, and the build failed. */
  typeErrors?: number;
}

/** Human-readable summary, one line per function. */
/** The objects a build freezes, as the summary names them: the first few, then how many more. */
function frozenList(frozen: string[]): string {
  const shown = frozen.slice(0, 3).join(", ");
  return frozen.length > 3 ? `${shown} and ${frozen.length - 3} more` : shown;
}

export function formatReport(r: BuildReport, out?: string): string {
  if (r.typeErrors) return `kos build: ${r.typeErrors} type error(s); tsc's output written without optimization (${r.modules} modules${out ? ` → ${out}` : ""})`;
  const lines = [`kos build: ${r.summary.optimized} optimized, ${r.summary.skipped} skipped (${r.modules} modules${out ? ` → ${out}` : ""})`];
  for (const f of r.functions) {
    const where = `${f.file}:${f.line}`;
    const via = f.origins.join("+");
    if (f.status === "optimized") {
      const guards = f.assumptions.map((a) => a.description).join(", ") || "no guards";
      lines.push(`  ✓ ${f.name} (${where}, ${via}) — ${guards}${f.trustedTypes.length ? `; trusted types: ${f.trustedTypes.join(", ")}` : ""}${f.loadChecks?.length ? `; at load: ${f.loadChecks.join(", ")}` : ""}${f.frozen.length ? `; freezes ${frozenList(f.frozen)} (folded into the code: a write to ${f.frozen.length > 1 ? "them" : "it"} fails from now on, with a TypeError in strict code)` : ""}`);
    } else {
      lines.push(`  – ${f.name} (${where}, ${via}) skipped: ${f.reason}`);
    }
  }
  if (r.profile !== null) {
    const fromProfile = r.functions.filter((f) => f.origins.includes("profile")).length;
    lines.push(`  profile ${r.profile}: ${fromProfile} hot function(s) matched; ${r.profileUnmatched.length} hot entr${r.profileUnmatched.length === 1 ? "y names" : "ies name"} no top-level function of the project (listed in ${"kos-build-report.json"})`);
  }
  return lines.join("\n");
}
