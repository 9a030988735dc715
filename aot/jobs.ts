/**
 * Turns what discovery and the profile found into compile jobs: one per
 * top-level function to replace (annotations and profile entries for the
 * same function merge) and one per jit() call site.
 */
import { decodeValue } from "../profiler/profile-format.js";
import type { TypeAssumption } from "../compiler/types.js";
import type { ConstExpr } from "./const-expr.js";
import type { AnnotatedFunction, JitCallSite } from "./discover.js";
import type { ProfileMatch } from "./profile-match.js";
import type { Origin } from "./report.js";
import type { FunctionSite } from "./sites.js";
import { assumptionFromObservedType, typedArrayParams } from "./type-assumptions.js";

/** A value to specialize on: resolved at build time from the probe, or already known. */
export type SpecSource = { kind: "expr"; expr: ConstExpr; text: string } | { kind: "value"; value: unknown; text: string };

export interface Job {
  kind: "function" | "call-site";
  site: FunctionSite;
  origins: Origin[];
  specialize: Map<string, SpecSource>;
  assume: Record<string, TypeAssumption>;
  trust: string[];
  /** Named hot by the profile: gets the larger inlining/unrolling budget. */
  hot: boolean;
  selfPercent?: number;
  callSite?: JitCallSite;
  /** Other compiler options from a call site's object (fastmath, freeze, …). */
  extra: Map<string, ConstExpr>;
  line: number;
  column: number;
  /** Set when discovery already knows the job cannot be done. */
  skipReason: string | null;
}

function describeExpr(e: ConstExpr): string {
  switch (e.kind) {
    case "literal": return typeof e.value === "string" ? JSON.stringify(e.value) : typeof e.value === "bigint" ? `${e.value}n` : Object.is(e.value, -0) ? "-0" : String(e.value);
    case "binding": return [e.name, ...e.path].join(".");
    case "array": return `[${e.items.map(describeExpr).join(", ")}]`;
    case "object": return `{ ${e.entries.map(([k, v]) => `${k}: ${describeExpr(v)}`).join(", ")} }`;
    case "invalid": return "?";
  }
}

function newJob(kind: Job["kind"], site: FunctionSite, origin: Origin, line: number, column: number): Job {
  const assume = typedArrayParams(site);
  return { kind, site, origins: [origin], specialize: new Map(), assume, trust: Object.keys(assume), hot: false, extra: new Map(), line, column, skipReason: null };
}

/** Builds the job list for one module's findings, plus profile matches (any module). */
export function planJobs(annotated: AnnotatedFunction[], callSites: JitCallSite[], profileMatches: ProfileMatch[]): Job[] {
  const bySite = new Map<FunctionSite, Job>();
  const jobs: Job[] = [];
  for (const a of annotated) {
    const job = newJob("function", a.site, "annotation", a.site.line, a.site.column);
    for (const s of a.specialize) job.specialize.set(s.param, { kind: "expr", expr: s.value, text: describeExpr(s.value) });
    bySite.set(a.site, job);
    jobs.push(job);
  }
  for (const m of profileMatches) {
    let job = bySite.get(m.site);
    if (!job) {
      job = newJob("function", m.site, "profile", m.site.line, m.site.column);
      if (m.site.unsupported) job.skipReason = m.site.unsupported;
      bySite.set(m.site, job);
      jobs.push(job);
    } else {
      job.origins.push("profile");
    }
    job.hot = true;
    job.selfPercent = m.entry.selfPercent;
    for (const arg of m.entry.stableArgs ?? []) {
      const param = m.site.params[arg.index] === arg.name ? arg.name : m.site.params.includes(arg.name) ? arg.name : null;
      if (!param || job.specialize.has(param)) continue; // annotations win over the profile
      if (arg.stability === "constant" && arg.value !== undefined) {
        const value = decodeValue(arg.value);
        job.specialize.set(param, { kind: "value", value, text: `${describeExpr({ kind: "literal", value })} (profile)` });
      } else if (arg.stability === "type" && !job.assume[param]) {
        const a = assumptionFromObservedType(arg.type);
        if (a) job.assume[param] = a; // observed, not declared: guarded, not trusted
      }
    }
  }
  for (const c of callSites) {
    const job = newJob("call-site", c.target ?? ({ name: c.call.getArguments()[0]?.getText() ?? "?" } as FunctionSite), "jit-call", c.line, c.column);
    job.callSite = c;
    job.skipReason = c.skipReason;
    if (!c.target) { job.assume = {}; job.trust = []; }
    if (c.options?.kind === "object") {
      for (const [k, v] of c.options.entries) {
        if (k === "specialize") {
          if (v.kind !== "object") { job.skipReason ??= "`specialize` must be an object literal"; continue; }
          for (const [p, e] of v.entries) job.specialize.set(p, { kind: "expr", expr: e, text: describeExpr(e) });
        } else if (k === "assume" && v.kind === "object") {
          for (const [p, e] of v.entries) if (e.kind === "literal" && typeof e.value === "string") job.assume[p] = e.value as TypeAssumption;
        } else {
          job.extra.set(k, v);
        }
      }
    }
    jobs.push(job);
  }
  return jobs;
}
