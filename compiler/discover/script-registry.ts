/**
 * Script ids to URLs and source text, through the Debugger domain, switched on
 * only for the moment it is needed. `Debugger.enable` replays one
 * `scriptParsed` event per live script: 16 ms the first time with 130 scripts
 * loaded, 1.9 ms afterwards, and `getScriptSource` 1.7 ms (Node 20.20.2, this
 * machine). It stays on only until the current task ends (see enableDebugger),
 * and what it said is kept per script id.
 *
 * The source comes from V8, not from the file: under a loader (tsx, vitest) the
 * file holds TypeScript while the script V8 runs, and whose positions
 * [[FunctionLocation]] uses, is the compiled JavaScript.
 */
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import type { SyncSession } from "./inspector-session.js";
import { ScriptAnalysis, type ScriptFlavour } from "./script-analysis.js";
import { LineIndex } from "./line-index.js";

/**
 * Parsed scripts kept at once. A tree with its scope analysis is large: valibot's
 * 206 KB bundle retained 9.8 MB (heapUsed after gc, this machine). Source text and
 * line index stay for every script; older trees are dropped and re-parsed on need.
 */
const PARSED_SCRIPTS_KEPT = 8;

export interface ScriptRecord {
  scriptId: string;
  url: string;
  /** The file as Node names it: a path for file: URLs, the URL otherwise, "<anonymous>" for `new Function`/eval. */
  file: string;
  /** Offsets of the script inside its resource (non-zero for `vm.Script` with lineOffset, inline scripts). */
  startLine: number;
  startColumn: number;
  isModule: boolean;
  /** V8's SHA-256 of the source, as a stack frame's CallSite also gives it. */
  hash: string;
  /** undefined: not fetched yet; null: V8 no longer has it. */
  source?: string | null;
  lines?: LineIndex;
  /** Present while among the recently used scripts (see PARSED_SCRIPTS_KEPT); errors are kept. */
  analysis?: ScriptAnalysis | { error: string };
}

const requireCache = createRequire(import.meta.url).cache;

/**
 * Scripts longer than this are analysed only for the function kos compiles, not for the
 * callees and export getters it reaches. Analysis takes about 0.42 ms per KB here (acorn and
 * eslint-scope: ts-morph.js, 0.95 MB, 452 ms; TypeScript's own typescript.js, 9.1 MB, 3.85 s),
 * and reading ts-morph's export getters made one method's compile (`setType`) parse
 * @ts-morph/common's 3 MB and 9 MB bundles: 6.2 s for 659 nodes of output, 1.0 s with this
 * limit. 1 MB keeps lodash (0.54 MB) and ts-morph.js itself analysable for their callers.
 */
const LARGE_SCRIPT_CHARS = 1_000_000;

function fileOf(url: string): string {
  if (url === "") return "<anonymous>";
  if (url.startsWith("file:")) {
    try {
      return fileURLToPath(url);
    } catch {
      return url;
    }
  }
  return url;
}

/**
 * The source of a script the last replay named, read from its file where that file still holds
 * exactly what V8 runs: V8's `hash` is the SHA-256 of the source's UTF-8 bytes (checked on ESM,
 * CommonJS, one-byte and two-byte sources, Node 20.20.2), and a loader's output (TypeScript under
 * tsx or vitest) or a file changed since it loaded does not match it. A compile in a later task
 * that reaches a script loaded before that replay then needs no `Debugger.enable`, which replays
 * every script again: 38-128 ms with 884 scripts loaded (the fixtures and the real libraries, this
 * machine), where reading and hashing json-logic-js's 15 KB file took 0.76 ms, the first time.
 */
function sourceFromFile(rec: ScriptRecord): boolean {
  if (!rec.hash || !rec.url.startsWith("file:")) return false;
  let text: string;
  try {
    text = process.getBuiltinModule("node:fs").readFileSync(rec.file, "utf8");
  } catch {
    return false;
  }
  const digest = process.getBuiltinModule("node:crypto").createHash("sha256").update(text, "utf8").digest("hex");
  if (digest !== rec.hash) return false;
  rec.source = text;
  rec.lines = new LineIndex(text);
  return true;
}

/** Per-session record of scripts; owned by one ClosureReader. */
export class ScriptRegistry {
  private readonly scripts = new Map<string, ScriptRecord>();
  private readonly parsed: ScriptRecord[] = [];
  private debuggerOn = false;
  private readonly onParsed = (m: { params: Record<string, unknown> }): void => {
    const p = m.params as { scriptId: string; url: string; startLine: number; startColumn: number; isModule?: boolean; hash?: string };
    if (this.scripts.has(p.scriptId)) return;
    this.scripts.set(p.scriptId, {
      scriptId: p.scriptId,
      url: p.url,
      file: fileOf(p.url),
      startLine: p.startLine ?? 0,
      startColumn: p.startColumn ?? 0,
      isModule: p.isModule === true,
      hash: p.hash ?? "",
    });
  };

  constructor(private readonly session: SyncSession) {}

  /** The script with its source, or null when V8 does not know it. */
  get(scriptId: string): ScriptRecord | null {
    let rec = this.scripts.get(scriptId);
    if (rec && rec.source !== undefined) return rec;
    if (rec && sourceFromFile(rec)) return rec;
    this.enableDebugger();
    rec = this.scripts.get(scriptId);
    if (!rec) return null;
    try {
      rec.source = this.session.post<{ scriptSource: string }>("Debugger.getScriptSource", { scriptId }).scriptSource;
      rec.lines = new LineIndex(rec.source);
    } catch {
      rec.source = null;
    }
    return rec;
  }

  /** The script loaded from `url`, with its source, or null when V8 has none (after one replay of the scripts it knows). */
  byUrl(url: string): ScriptRecord | null {
    const find = () => [...this.scripts.values()].find((r) => r.url === url);
    let rec = find();
    // A URL no replay found (a package resolved to a file the program never loaded) is not looked
    // for again: each replay lists every script (38-128 ms with 884 loaded, above).
    if (!rec && !this.missingUrls.has(url)) {
      this.enableDebugger();
      rec = find();
      if (!rec) this.missingUrls.add(url);
    }
    return rec ? this.get(rec.scriptId) : null;
  }
  private readonly missingUrls = new Set<string>();

  /** The parsed, scope-analysed script, or an error naming why it is not available. */
  /**
   * The script's analysis, made on first use. With `allowLarge` false, a script over
   * LARGE_SCRIPT_CHARS not analysed yet is not analysed now (`deferred`, nothing cached).
   */
  analysis(rec: ScriptRecord, allowLarge = true): ScriptAnalysis | { error: string; deferred?: true } {
    if (!allowLarge && !rec.analysis && rec.source != null && rec.source.length > LARGE_SCRIPT_CHARS) {
      return { error: `${rec.file} is ${(rec.source.length / 1e6).toFixed(1)} MB, and kos analyses a script that large only for a function it compiles itself, not for one it reaches from there`, deferred: true };
    }
    if (rec.analysis instanceof ScriptAnalysis) {
      const i = this.parsed.indexOf(rec);
      if (i > 0) this.parsed.unshift(...this.parsed.splice(i, 1));
      return rec.analysis;
    }
    if (rec.analysis) return rec.analysis;
    if (rec.source == null || !rec.lines) return (rec.analysis = { error: `the source of ${rec.file} is no longer available` });
    const flavour: ScriptFlavour = rec.isModule ? "module" : requireCache[rec.file] ? "commonjs" : "script";
    try {
      rec.analysis = new ScriptAnalysis(rec.source, flavour, rec.file, rec.startLine, rec.lines);
    } catch (e) {
      return (rec.analysis = { error: `acorn could not parse ${rec.file}: ${(e as Error).message}` });
    }
    this.parsed.unshift(rec);
    for (const old of this.parsed.splice(PARSED_SCRIPTS_KEPT)) old.analysis = undefined;
    return rec.analysis;
  }

  /**
   * On until the compile that needed it ends (release), or at the latest until the current task
   * ends: one compile discovers the root and its callees in one synchronous run, so they share one
   * replay, and what the replay named is kept per script id for later compiles (sourceFromFile).
   * Not longer, because an enabled debugger slows the program itself: it reports every new script
   * (3,000 `new Function` calls took 50-118 ms with it on against 2-8 ms off, this machine), and
   * plain code runs slower under it: joi's `validate` 5-9% and a compiled mathjs expression 13-19%,
   * in rounds alternating the debugger off and on in one process (Node 20.20.2). A program that
   * calls jit() and then runs its loop in the same task (a batch script, or a tiering compile in
   * the middle of one) paid that for the rest of the task.
   */
  private enableDebugger(): void {
    if (this.debuggerOn) return;
    this.session.on("Debugger.scriptParsed", this.onParsed);
    try {
      this.session.post("Debugger.enable", {});
    } catch (e) {
      this.session.off("Debugger.scriptParsed", this.onParsed);
      throw e;
    }
    this.debuggerOn = true;
    setImmediate(() => this.disableDebugger()).unref();
  }

  /** Whether the debugger is on now (for tests). */
  get debugging(): boolean {
    return this.debuggerOn;
  }

  /** The end of a compile: the debugger goes off now, not at the end of the task. */
  release(): void {
    this.disableDebugger();
  }

  private disableDebugger(): void {
    if (!this.debuggerOn) return;
    this.debuggerOn = false;
    try {
      this.session.post("Debugger.disable", {});
    } catch {
      // The session is gone (thread exiting): nothing stays enabled.
    } finally {
      this.session.off("Debugger.scriptParsed", this.onParsed);
    }
  }
}
