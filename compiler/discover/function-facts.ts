/**
 * What a closure reader (closure.ts) knows about each function it has read: where its
 * source text begins, the script it lives in, and the verdict on each name it looks up,
 * each memoised once found. The script's parsed tree is not held here (the registry keeps
 * it for recently used scripts only): the function is found again by its offset.
 */
import type { Node } from "../ast.js";
import type { ScriptRegistry, ScriptRecord } from "./script-registry.js";
import { liveImportWrite } from "./live-imports.js";
import { ScriptAnalysis } from "./script-analysis.js";
import type { BindingFacts } from "./binding-facts.js";
import type { PrivateFieldFacts } from "./private-fields.js";

export interface FunctionLocation {
  /** Path or URL as Node names it ("<anonymous>" for `new Function` without a sourceURL). */
  file: string;
  /** 1-based line where `fn.toString()` begins in the file (V8's position when `exact` is false). */
  line: number;
  /** 1-based column where `fn.toString()` begins in the file (V8's position when `exact` is false). */
  column: number;
  scriptId?: string;
  /** true: `line`/`column` is where the function's source text starts; false: V8's [[FunctionLocation]] (the start of the parameter list), the source being unavailable. */
  exact?: boolean;
}

// The intrinsic, captured when kos loads: a patched Function.prototype.toString must not change what we match.
const intrinsicToString = Function.prototype.toString;

/**
 * What is known about one function. It holds no parsed tree (trees are large and
 * kept only for recently used scripts): the function is found again by its offset,
 * and each name's verdict is memoised here once computed.
 */
export interface FunctionFacts {
  location: FunctionLocation | null;
  script: ScriptRecord | null;
  /** V8's position of the function as an offset into the script source; -1 when unknown. */
  offset: number;
  why: string;
  names: Map<string, BindingFacts | null>;
  globals: string[] | null;
  /** Verdicts on private fields the function names (private-fields.ts). */
  privates?: Map<string, PrivateFieldFacts>;
  /** The script's analysis was deferred at the last attempt (see ScriptRegistry.analysis). */
  deferred?: boolean;
}

/** The facts of one reader's functions, by function. */
export class FunctionFactsCache {
  private readonly locations = new WeakMap<Function, FunctionFacts>();
  /** Set when the reader's session opens; without it no function has a location. */
  registry: ScriptRegistry | null = null;
  /** Whether a large script is analysed when a lookup needs it (see ScriptRegistry.analysis). */
  largeScripts = true;

  get(fn: Function): FunctionFacts | undefined {
    return this.locations.get(fn);
  }

  has(fn: Function): boolean {
    return this.locations.has(fn);
  }

  /** The facts of `fn`, found from V8's [[FunctionLocation]] `loc` at the first call. */
  of(fn: Function, loc: { scriptId: string; lineNumber: number; columnNumber: number } | null): FunctionFacts {
    const known = this.locations.get(fn);
    if (known) return known;
    const facts: FunctionFacts = { location: null, script: null, offset: -1, why: "V8 gives no [[FunctionLocation]]", names: new Map(), globals: null };
    this.locations.set(fn, facts);
    if (!loc || !this.registry) return facts;
    const rec = this.registry.get(loc.scriptId);
    facts.location = { file: rec?.file ?? "<unknown>", line: loc.lineNumber + 1, column: loc.columnNumber + 1, scriptId: loc.scriptId, exact: false };
    facts.why = "";
    if (!rec) return (facts.why = `script ${loc.scriptId} is unknown to the debugger`), facts;
    facts.script = rec;
    if (!rec.lines || rec.source == null) return (facts.why = `the source of ${rec.file} is no longer available`), facts;
    // Positions are in the resource; the source starts at (startLine, startColumn) in it.
    const relLine = loc.lineNumber - rec.startLine;
    const relCol = relLine === 0 ? loc.columnNumber - rec.startColumn : loc.columnNumber;
    const offset = rec.lines.offsetOf(relLine, relCol);
    facts.offset = offset;
    const text = Reflect.apply(intrinsicToString, fn, []) as string;
    const at = offset >= 0 ? rec.source.lastIndexOf(text, offset) : -1;
    if (at >= 0 && at + text.length >= offset) {
      const p = rec.lines.positionOf(at);
      facts.location = { ...facts.location, line: p.line + rec.startLine, column: (p.line === 1 ? p.column + rec.startColumn : p.column) + 1, exact: true };
    }
    const parsed = this.parsedFunction(facts);
    if (!parsed) facts.why ||= "the script could not be analysed";
    return facts;
  }

  /** The script's analysis and the function's node in it (re-parsing a script dropped from the recent set). */
  parsedFunction(ff: FunctionFacts): { analysis: ScriptAnalysis; node: Node } | null {
    if (!ff.script || ff.offset < 0 || !this.registry) return null;
    const analysis = this.registry.analysis(ff.script, this.largeScripts);
    if (!(analysis instanceof ScriptAnalysis)) {
      ff.why = analysis.error;
      if ("deferred" in analysis) ff.deferred = true;
      return null;
    }
    ff.deferred = false;
    const node = analysis.functionAt(ff.offset);
    if (!node) {
      ff.why = `no function starts at offset ${ff.offset} of ${ff.script.file}`;
      return null;
    }
    return { analysis, node };
  }

  factsFor(ff: FunctionFacts, name: string): BindingFacts | null {
    if (ff.names.has(name)) return ff.names.get(name)!;
    const p = this.parsedFunction(ff);
    let facts = p ? p.analysis.factsFor(p.node, name) : null;
    if (facts?.importFrom && this.registry && ff.script) {
      const why = liveImportWrite(this.registry, ff.script, facts.importFrom.source, facts.importFrom.imported);
      if (why) facts = { ...facts, stable: false, unstableReason: why };
    }
    if (p) ff.names.set(name, facts); // unparsed: not memoised, a later read may parse
    return facts;
  }

  globalNames(ff: FunctionFacts): string[] {
    if (ff.globals) return ff.globals;
    const p = this.parsedFunction(ff);
    if (!p) return [];
    return (ff.globals = p.analysis.globalNamesOf(p.node));
  }
}
