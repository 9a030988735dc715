/**
 * `kos build`: ahead-of-time, profile-guided optimization of a TypeScript
 * project. The steps, in order:
 *
 *   load (ts-morph) → check the output directory (output.ts) → discover
 *   (annotations, jit() call sites) → type-check (diagnostics.ts) → emit
 *   (tsc's JS, .d.ts, maps) → probe (import the emitted JS for live values,
 *   and the classes it creates)
 *   → apply the profile (content-hash checked) → compile each job
 *   (specializeToSource) → splice into the emitted JS → write (output.ts).
 *
 * Nothing is written half-way: every error is raised before the output
 * directory is touched, except type errors without `noEmitOnError`, where,
 * as tsc does, the plain output is written and the build then fails. kos
 * build never deletes a file it did not write (see output.ts). The same
 * input and profile give byte-identical output (no timestamps, absolute
 * paths or unordered iteration in it).
 */
import { join, relative } from "node:path";
import { Node, SyntaxKind, type SourceFile } from "ts-morph";
import type { SourceOptions } from "../compiler/types.js";
import { BuildError, BuildTypeError } from "./errors.js";
import { summarize, typeErrors } from "./diagnostics.js";
import { checkOutputDir, writeOutput } from "./output.js";
import { compileJob } from "./compile-job.js";
import { frozenWriteReason } from "./frozen-writes.js";
import { findAnnotatedFunctions, findJitCallSites, type JitCallSite } from "./discover.js";
import { appendBeforeSourceMapComment, emitProject, type ModuleOutput } from "./emit.js";
import { planJobs, type Job } from "./jobs.js";
import { displayPath, loadProject, type LoadedProject } from "./project.js";
import { matchProfile, readBuildProfile, type ProfileApplication } from "./profile-match.js";
import { Probe } from "./probe.js";
import { buildReferenceIndex, type ReferenceIndex } from "./references.js";
import type { BuildReport, FunctionReport } from "./report.js";
import { topLevelFunctions, type FunctionSite } from "./sites.js";
import { classMethods, emittedClasses, methodDisplayName } from "./class-methods.js";
import { indexEmittedClasses, type EmittedClass } from "./emitted-classes.js";
import { compiledLength, compiledMethodName, lengthLine, installInClassBody, installMethod, methodExpression, resolveMethod, type ResolvedMethod } from "./method-install.js";
import { installForwarded, namesIn, sameLengthName } from "./function-install.js";
import { BuildTimeValues, buildTimeValue, jobRoots, loadChecksFor, loadCondition, sameDataHelper, type ValueOf } from "./build-time-values.js";
import { bindingNames } from "./const-expr.js";
import { readonlyConstants } from "./type-assumptions.js";
import { applyEdits, callSiteFactory, indexJs, installFunction, sameLengthEdit, type Edit } from "./splice.js";

/** Options of {@link kosBuild}. */
export interface BuildOptions {
  /** tsconfig.json, or a directory holding one. Default: `tsconfig.json` in the working directory. */
  project?: string;
  /** Output directory. Default: the tsconfig's `outDir`, else `kos-out` beside the tsconfig. */
  out?: string;
  /** A `kos-profile.json` from `kos profile`: its hot functions are optimized too. */
  profile?: string;
  /** Profile entries below this self-time share (percent) are ignored. Default 1. */
  minSelfPercent?: number;
  /** Compiler options applied to every job (e.g. `{ freeze: "deep", fastmath: false }`). */
  compilerOptions?: Partial<SourceOptions>;
  /** Report file name inside the output directory. Default `kos-build-report.json`; `null` writes none. */
  reportName?: string | null;
}

export const REPORT_NAME = "kos-build-report.json";

/**
 * Runs kos build; returns the report (also written into the output directory).
 *
 * Throws a {@link BuildError}: `EBUILD_OUT_DIR` before anything is written
 * when the output directory is, or contains, the project root, the tsconfig
 * or a source folder; `EBUILD_TYPE` ({@link BuildTypeError}) when TypeScript
 * reports errors, after writing tsc's unoptimized output unless the tsconfig
 * sets `noEmitOnError`. kos build never deletes a file it did not write
 * (output.ts).
 */
export async function kosBuild(options: BuildOptions = {}): Promise<BuildReport> {
  // A bad profile fails before the (slow) project load.
  const profile = options.profile ? readBuildProfile(options.profile) : null;
  const p = loadProject(options.project ?? "tsconfig.json", options.out);
  const show = (file: string) => displayPath(p.rootDir, file);
  checkOutputDir(p.outDir, p.rootDir, p.tsconfigPath, p.sourceFiles.map((sf) => sf.getFilePath()), show);

  // Discover (annotation errors are thrown here, before anything is written).
  const sitesByFile = new Map<SourceFile, FunctionSite[]>();
  const annotated = new Map<SourceFile, ReturnType<typeof findAnnotatedFunctions>>();
  const callSites = new Map<SourceFile, JitCallSite[]>();
  for (const sf of p.sourceFiles) {
    const sites = topLevelFunctions(sf);
    const all = [...sites, ...classMethods(sf)];
    sitesByFile.set(sf, all);
    annotated.set(sf, findAnnotatedFunctions(sf, show(sf.getFilePath()), all));
    callSites.set(sf, findJitCallSites(sf, sites));
  }

  const reportName = options.reportName === undefined ? REPORT_NAME : options.reportName;
  const errors = typeErrors(p.tsconfigPath);
  if (errors.length > 0) {
    const lines = `${errors.map((e) => e.text).join("\n")}\n\n${summarize(errors)}`;
    if (p.noEmitOnError) {
      throw new BuildTypeError(errors, null, `type errors; nothing written (noEmitOnError is set):\n${lines}`);
    }
    const modules = emitProject(p);
    const report = baseReport(p, options, show, modules.length, { matches: [], unmatched: [] }, []);
    report.typeErrors = errors.length;
    writeOutput(p.outDir, outputFiles(p, modules, new Map(), reportName, report), show);
    throw new BuildTypeError(errors, report, `type errors; tsc's output was written to ${show(p.outDir) || "."} without optimization (noEmitOnError is off):\n${lines}`);
  }

  const modules = emitProject(p);
  const probe = new Probe(p.outDir, modules, p.esm);
  try {
    const bindingsOf = (sf: SourceFile) => probe.load(sf, show(sf.getFilePath()));
    // Class methods: the live function the module created (method-install.ts), once per site.
    const emittedOf = new Map<SourceFile, EmittedClass[] | null>();
    const resolved = new Map<FunctionSite, ResolvedMethod>();
    const methodOf = async (site: FunctionSite): Promise<ResolvedMethod> => {
      let r = resolved.get(site);
      if (r) return r;
      const sf = site.sourceFile;
      await bindingsOf(sf);
      if (!emittedOf.has(sf)) {
        const js = modules.find((m) => m.sourceFile === sf)?.js?.text;
        let idx: EmittedClass[] | null = null;
        try { idx = js === undefined ? null : indexEmittedClasses(js, p.esm); } catch { idx = null; }
        emittedOf.set(sf, idx);
      }
      r = resolveMethod(site, emittedClasses(sf).length, emittedOf.get(sf)!, probe.classes(sf));
      resolved.set(site, r);
      return r;
    };
    // Module values the source does not fix: checked when the output loads (build-time-values.ts).
    const loadValues = { analysis: new BuildTimeValues(new Set(p.sourceFiles)), valueOf: buildTimeValue(p.sourceFiles, bindingsOf) };
    let applied: ProfileApplication = { matches: [], unmatched: [] };
    if (profile && options.profile) {
      const allSites = [...sitesByFile.values()].flat();
      applied = await matchProfile(profile, allSites, async (site) => {
        if (site.method) {
          const r = await methodOf(site);
          return r.ok ? Function.prototype.toString.call(r.fn) : null;
        }
        const b = (await bindingsOf(site.sourceFile)).get(site.name);
        return b.found && typeof b.value === "function" ? Function.prototype.toString.call(b.value) : null;
      }, show, options.minSelfPercent ?? 1, (site) => modules.find((m) => m.sourceFile === site.sourceFile)?.js?.text ?? null);
    }

    const reports: FunctionReport[] = [];
    const outputs = new Map<ModuleOutput, string>();
    for (const m of modules) {
      const sf = m.sourceFile;
      const jobs = planJobs(annotated.get(sf) ?? [], callSites.get(sf) ?? [], applied.matches.filter((x) => x.site.sourceFile === sf));
      if (jobs.length === 0 || !m.js) continue;
      const methods = new Map<FunctionSite, ResolvedMethod>();
      for (const j of jobs) if (j.site.method) methods.set(j.site, await methodOf(j.site));
      const js = await spliceModule(p, m, jobs, await bindingsOf(sf), reports, show, options.compilerOptions ?? {}, methods, loadValues);
      if (js !== m.js.text) outputs.set(m, js);
    }

    // The compiler locates constructs in the probe copy, whose lines are the output's: name the output file.
    for (const r of reports) if (r.reason) r.reason = r.reason.split(probe.dir).join(show(p.outDir) || ".");
    reports.sort((a, b) => (a.file === b.file ? a.line - b.line || a.column - b.column : a.file < b.file ? -1 : 1));
    const report = baseReport(p, options, show, modules.length, applied, reports);
    writeOutput(p.outDir, outputFiles(p, modules, outputs, reportName, report), show);
    return report;
  } finally {
    probe.dispose();
  }
}

/** Compiles a module's jobs and returns its new JS text. */
async function spliceModule(p: LoadedProject, m: ModuleOutput, jobs: Job[], bindings: Awaited<ReturnType<Probe["load"]>>, reports: FunctionReport[], show: (f: string) => string, compilerDefaults: Partial<SourceOptions>, methods: Map<FunctionSite, ResolvedMethod>, loadValues: { analysis: BuildTimeValues; valueOf: ValueOf }): Promise<string> {
  const js = m.js!.text;
  const index = indexJs(js, p.esm);
  const refs: ReferenceIndex = buildReferenceIndex(bindings);
  const taken = new Set(bindings.names);
  const fresh = (base: string) => {
    let n = base;
    for (let i = 2; taken.has(n); i++) n = `${base}${i}`;
    taken.add(n);
    return n;
  };
  const edits: Edit[] = [];
  let trailer = "";
  // The module's emitted classes, indexed at the first method that is placed in its class body.
  let classes: EmittedClass[] | null = null;
  // TS-readonly constants: frozen before compiling so reads from them fold; the output freezes them the same way.
  const readonlyFreezes: string[] = [];
  for (const name of readonlyConstants(m.sourceFile)) {
    const b = bindings.get(name);
    if (b.found && b.value !== null && typeof b.value === "object" && !Object.isFrozen(b.value) && isPlainData(b.value)) {
      deepFreeze(b.value);
      readonlyFreezes.push(name);
    }
  }
  const jitCalls = new Map<string, ReturnType<typeof index.callsTo>>();
  // The output's deep comparison of frozen data for load-time checks, written once if a check uses it.
  const sameData = fresh("$kos_sameData");
  let usesSameData = false;
  // Every name token of the module, read once a declaration needs a new name.
  let names: Set<string> | undefined;

  for (const job of jobs) {
    const rep: FunctionReport = {
      name: job.site.method ? methodDisplayName(job.site) : job.site.name, file: show(m.sourceFile.getFilePath()), line: job.line, column: job.column, origins: job.origins,
      status: "skipped", reason: null, assumptions: [], specialized: [], trustedTypes: [], frozen: [],
      ...(job.selfPercent !== undefined ? { selfPercent: job.selfPercent } : {}),
    };
    reports.push(rep);

    // Where the result goes, checked before compiling.
    let callRange: { start: number; end: number } | null = null;
    if (job.kind === "call-site" && !job.skipReason) {
      const callee = job.callSite!.call.getExpression().getText();
      if (!jitCalls.has(callee)) jitCalls.set(callee, index.callsTo(callee));
      const c = jitCalls.get(callee)![job.callSite!.index];
      if (!c || c.firstArg !== job.site.name) job.skipReason = "could not locate this call in the emitted JavaScript";
      else callRange = c;
    }
    if (job.kind === "function" && !job.skipReason && job.site.kind === "variable" && index.constKeywordOf(job.site.name) === null) {
      job.skipReason = "could not locate the declaration in the emitted JavaScript";
    }
    if (job.kind === "function" && !job.skipReason && job.site.kind === "declaration" && !index.isFunctionDeclaration(job.site.name)) {
      job.skipReason = "could not locate the function in the emitted JavaScript";
    }

    // A class method: its live function, and the property the output assigns (method-install.ts).
    let methodFn: Function | undefined;
    let methodTarget: string | null = null;
    // A method using `#x` is compiled to sit in its class body, taking the original as this parameter.
    const inClassBody = job.site.method?.privateUse != null;
    const originalParam = inClassBody ? fresh("$kos_original") : null;
    if (job.site.method && !job.skipReason) {
      const r = methods.get(job.site)!;
      const e = r.ok ? methodExpression(job.site, r.cls, refs) : null;
      if (!r.ok) job.skipReason = r.reason;
      else if (!e!.ok) job.skipReason = e!.reason;
      else { methodFn = r.fn; methodTarget = e!.expr; }
    }

    // A function declaration keeps its object, made a forwarder; its original body gets a new name of the same length.
    let renamedOriginal: string | null = null;
    if (job.kind === "function" && !job.skipReason && job.site.kind === "declaration") {
      names ??= namesIn(js, p.esm);
      if (!index.declaration(job.site.name)) job.skipReason = "could not locate the function in the emitted JavaScript (async and generator functions are not optimized)";
      else if (taken.has("Reflect")) job.skipReason = "the module declares its own `Reflect`, which the forwarder kos build writes calls";
      else if ((renamedOriginal = sameLengthName(job.site.name.length, names, taken)) === null) job.skipReason = "kos build found no free name of the same length to keep the original under";
    }

    // A class body is strict code: a method's `this` needs no guard for a call without a receiver.
    const methodDefaults = job.site.method ? { ...compilerDefaults, strictKnown: true } : compilerDefaults;
    const result = compileJob(job, bindings, refs, originalParam ?? methodTarget ?? renamedOriginal ?? job.site.name, inClassBody ? { ...methodDefaults, privateNames: true } : methodDefaults, methodFn);
    rep.specialized = result.specialized;
    if (!result.ok) { rep.reason = result.reason; continue; }
    // What the output would freeze, checked against every write and escape in the project's source.
    if (result.freeze.length > 0) {
      const held = job.callSite?.call.getParentIfKind(SyntaxKind.VariableDeclaration)?.getName();
      const why = frozenWriteReason(result.freeze, m.sourceFile, new Set([job.site.name, ...(held ? [held] : [])]));
      if (why !== null) { rep.reason = why; continue; }
    }

    // Module values the source does not fix, which the compiled code may have folded: checked when the
    // output loads (build-time-values.ts). After compiling: what the compile froze is folded by content.
    let condition: string | null = null;
    if (job.site.fn) {
      const named = [...job.specialize.values()].flatMap((src) => (src.kind === "expr" ? bindingNames(src.expr) : []));
      const roots = jobRoots(job.site.fn, m.sourceFile, job.callSite?.call.getArguments()[1], named);
      const lc = await loadChecksFor(roots, m.sourceFile, loadValues.analysis, loadValues.valueOf, sameData, new Set(result.freeze));
      if (!lc.ok) { rep.reason = lc.reason; continue; }
      if (lc.checks.length > 0) {
        condition = loadCondition(lc.checks);
        rep.loadChecks = lc.described;
        if (lc.checks.some((c) => c.startsWith(`${sameData}(`))) usesSameData = true;
      }
    }
    rep.status = "optimized";
    rep.assumptions = result.assumptions;
    rep.trustedTypes = result.trusted;
    rep.frozen = result.freeze;

    const guards = result.assumptions.map((a) => a.description).join(", ") || "no guards";
    if (methodTarget !== null && inClassBody) {
      classes ??= indexEmittedClasses(js, p.esm);
      const cls = classes[job.site.method!.classIndex]!;
      const placed = installInClassBody({
        js, cls, site: job.site, holder: fresh(`$kos_${job.site.method!.key.replace(/[^\w$]/g, "_")}`), param: originalParam!,
        target: methodTarget, key: job.site.method!.key, compiledName: compiledMethodName(result.source), compiledLength: compiledLength(result.source), length: result.length, bound: result.bound, freeze: result.freeze, condition,
        note: `\`${rep.name}\` optimized (${job.origins.join("+")}; uses private names, so its code is in the class body; guards: ${guards}); the method above is its fallback`,
      });
      if (!placed.ok) {
        rep.status = "skipped"; rep.reason = placed.reason; rep.assumptions = []; rep.trustedTypes = []; rep.frozen = [];
        continue;
      }
      edits.push(placed.edit);
      trailer += placed.trailer;
    } else if (methodTarget !== null) {
      trailer += installMethod({
        target: methodTarget, key: job.site.method!.key, compiledName: compiledMethodName(result.source), compiledLength: compiledLength(result.source), length: result.length, bound: result.bound, freeze: result.freeze, condition,
        note: `\`${rep.name}\` optimized (${job.origins.join("+")}; guards: ${guards}); the method above is its fallback`,
      });
    } else if (job.kind === "function" && job.site.kind === "declaration") {
      // The declared function stays the module's object, forwarding to the optimized one (function-install.ts).
      const place = index.declaration(job.site.name)!;
      const original = renamedOriginal!;
      const placed = installForwarded({
        js, name: job.site.name, place, original, cell: fresh(`${job.site.name}$kos`), length: result.length, bound: result.bound, esm: p.esm, freeze: result.freeze, condition,
        plainParameters: plainParameters(job.site.fn, result.length),
        noThis: !/\bthis\b/.test(job.site.fn.getText()),
        note: `\`${job.site.name}\` optimized (${job.origins.join("+")}; guards: ${guards}); \`${job.site.name}\` forwards to it, the original above (renamed \`${original}\`) is its fallback`,
      });
      edits.push(...placed.edits);
      trailer += placed.trailer;
    } else if (job.kind === "function") {
      const at = index.constKeywordOf(job.site.name)!;
      edits.push({ start: at, end: at + 5, text: "let  " });
      const optimizedName = fresh(`${job.site.name}$kos`);
      trailer += installFunction({
        name: job.site.name, optimizedName, bound: result.bound, esm: p.esm,
        exported: job.site.exported, defaultExport: job.site.defaultExport, freeze: result.freeze,
        lengthLine: lengthLine(optimizedName, compiledLength(result.source), result.length), condition,
        note: `\`${job.site.name}\` optimized (${job.origins.join("+")}; guards: ${guards}); the original above is its fallback`,
      });
    } else {
      const factory = fresh(`$kos_site_${job.callSite!.index}`);
      edits.push(sameLengthEdit(js, callRange!.start, callRange!.end, `${factory}()`));
      trailer += callSiteFactory({ factoryName: factory, bound: result.bound, freeze: result.freeze, condition, generic: job.site.name, note: `prebuilt jit(${job.site.name}, …) at line ${job.line} (guards: ${guards})` });
    }
  }
  if (trailer === "") return js;
  if (usesSameData) trailer += sameDataHelper(sameData);
  if (readonlyFreezes.length > 0) {
    trailer = `/* kos build: constants TypeScript declares readonly, frozen so the code above may fold them */\n${readonlyFreezes.map((n) => `$kos_deepFreeze(${n});`).join("\n")}\nfunction $kos_deepFreeze(o) { for (const k of Object.keys(o)) { const v = o[k]; if (v !== null && typeof v === "object") $kos_deepFreeze(v); } return Object.freeze(o); }\n` + trailer;
    for (const r of reports) if (r.file === show(m.sourceFile.getFilePath()) && r.status === "optimized") r.frozen.push(...readonlyFreezes);
  }
  const out = appendBeforeSourceMapComment(applyEdits(js, edits), trailer);
  try {
    indexJs(out, p.esm); // the spliced module must still parse
  } catch (e) {
    throw new BuildError("EBUILD_OUTPUT", `internal error: the optimized module does not parse (${(e as Error).message})`, { file: m.sourceFile.getFilePath(), display: show(m.sourceFile.getFilePath()) });
  }
  return out;
}


/** Trees of arrays, plain objects and primitives, with data properties only. */
function isPlainData(v: object, depth = 0): boolean {
  const proto = Object.getPrototypeOf(v);
  if (depth > 16 || (proto !== Array.prototype && proto !== Object.prototype)) return false;
  return Reflect.ownKeys(v).every((k) => {
    const d = Object.getOwnPropertyDescriptor(v, k)!;
    if (!("value" in d)) return false;
    const x = d.value;
    return x === null || (typeof x !== "object" && typeof x !== "function") || (typeof x === "object" && isPlainData(x, depth + 1));
  });
}

function deepFreeze(v: object): void {
  for (const x of Object.values(v)) if (x !== null && typeof x === "object") deepFreeze(x);
  Object.freeze(v);
}

function baseReport(p: LoadedProject, options: BuildOptions, show: (f: string) => string, modules: number, applied: ProfileApplication, reports: FunctionReport[]): BuildReport {
  return {
    version: 1,
    tsconfig: relative(p.rootDir, p.tsconfigPath),
    profile: options.profile ? show(options.profile) : null,
    modules,
    functions: reports,
    profileUnmatched: applied.unmatched,
    summary: { optimized: reports.filter((r) => r.status === "optimized").length, skipped: reports.filter((r) => r.status === "skipped").length },
  };
}

/** Every output file (absolute path → text): tsc's emit with the optimized modules replaced, and the report. */
function outputFiles(p: LoadedProject, modules: ModuleOutput[], changed: Map<ModuleOutput, string>, reportName: string | null, report: BuildReport): Map<string, string> {
  const files = new Map<string, string>();
  for (const m of modules) {
    if (m.js) files.set(m.js.path, changed.get(m) ?? m.js.text);
    for (const f of m.others) files.set(f.path, f.text);
  }
  if (reportName) files.set(join(p.outDir, reportName), JSON.stringify(report, null, 2) + "\n");
  return files;
}

/** Whether `fn` has exactly `length` plain identifier parameters (`this: T` aside) and never names `arguments`. */
function plainParameters(fn: FunctionSite["fn"], length: number): boolean {
  const params = fn.getParameters().filter((p) => p.getName() !== "this");
  return params.length === length && params.every((p) => !p.getInitializer() && !p.isRestParameter() && !p.hasQuestionToken() && Node.isIdentifier(p.getNameNode())) && !/\barguments\b/.test(fn.getText());
}
