/**
 * A minimal source-map v3 generator that astring can drive: pass it as
 * `generate(ast, { sourceMap })` and astring calls
 * `addMapping({ original: {line, column}, generated: {line, column}, name, source })`
 * for every node with a `loc` (1-based lines, 0-based columns; `generated` is
 * astring's live state object, read at once). Mappings are encoded as
 * base64 VLQ, per https://sourcemaps.info/spec.html.
 *
 * Deliberately no `file` property: astring passes `sourceMap.file` as each
 * mapping's *source*, which would name the generated file as the original.
 *
 * What works on Node 20.20.2 (test/compiler/source-map.test.ts):
 * - `new Function(params, body + "\n//# sourceURL=kos://f.js\n" + toComment())`
 *   maps stack frames to the original file:line:column under `--enable-source-maps`,
 *   or after `process.setSourceMapsEnabled(true)` (tsx does this), with
 *   `generatedLineOffset: 2` for the `(function anonymous(params\n) {\n` header.
 *   Without either, frames show `kos://f.js:line`. No `vm.Script` is needed.
 * - Each generated function needs its own sourceURL: Node caches maps by URL, and
 *   two functions named `kos://same.js` both mapped through the last map (seen).
 */
import { GENERATOR } from "astring";
import type { FunctionLocation } from "./discover/closure.js";

export interface SourceMapOptions {
  /** The original file, as it should appear in stack traces (a path or URL). */
  source: string;
  /** The original file's text, embedded as `sourcesContent` for debuggers. */
  sourceContent?: string | null;
  /** The generated file's name (the `sourceURL` of the generated code). */
  generatedFile?: string;
  /**
   * Lines of generated code that precede what astring wrote: `new Function(p, body)`
   * runs `(function anonymous(p\n) {\n` + body, so the body starts 2 lines down.
   */
  generatedLineOffset?: number;
  /**
   * Where the parsed text starts in the original file: original positions are
   * relative to the text acorn parsed (e.g. `fn.toString()`). `line` is added to
   * every line; `column` to columns on the first line only. 0-based both.
   */
  originalOffset?: { line: number; column: number };
}

/** What astring hands to `addMapping`. */
export interface AstringMapping {
  original: { line: number; column: number } | null;
  generated: { line: number; column: number };
  name?: string;
  source?: string;
}

export interface SourceMapV3 {
  version: 3;
  file?: string;
  sources: string[];
  sourcesContent?: Array<string | null>;
  names: string[];
  mappings: string;
}

interface Segment { genLine: number; genCol: number; src: number; line: number; col: number; name: number }

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/**
 * Options that map positions in a function's parsed text back to its file.
 * `prefixLength` is what the parser put before `fn.toString()` on its first line
 * (1 for `"(" + source`), so that acorn's columns there are one past the text's.
 * Use it only when `loc.exact` is true: otherwise `loc` is V8's position of the
 * parameter list, not where the text starts, and columns would be off.
 */
export function sourceMapOptionsFor(loc: FunctionLocation, opts: { prefixLength?: number; generatedFile?: string; generatedLineOffset?: number; sourceContent?: string | null } = {}): SourceMapOptions {
  return {
    source: loc.file,
    sourceContent: opts.sourceContent ?? null,
    generatedFile: opts.generatedFile,
    generatedLineOffset: opts.generatedLineOffset ?? 0,
    originalOffset: { line: loc.line - 1, column: loc.column - 1 - (opts.prefixLength ?? 0) },
  };
}

/** Base64 VLQ of one signed integer. */
export function encodeVlq(value: number): string {
  let v = value < 0 ? ((-value) << 1) | 1 : value << 1;
  let out = "";
  do {
    let digit = v & 31;
    v >>>= 5;
    if (v > 0) digit |= 32;
    out += B64[digit];
  } while (v > 0);
  return out;
}

/** Collects mappings and writes a source map v3. */
export class SourceMapGenerator {
  private readonly sources: string[] = [];
  private readonly sourceIndex = new Map<string, number>();
  private readonly names: string[] = [];
  private readonly nameIndex = new Map<string, number>();
  private readonly segments: Segment[] = [];

  constructor(private readonly options: SourceMapOptions) {
    this.indexOf(this.sources, this.sourceIndex, options.source);
  }

  /** astring's callback. Also usable directly. */
  addMapping(m: AstringMapping): void {
    if (!m.original) return;
    const off = this.options.originalOffset;
    const origLine0 = m.original.line - 1 + (off?.line ?? 0);
    const origCol = m.original.column + (m.original.line === 1 ? off?.column ?? 0 : 0);
    const seg: Segment = {
      genLine: m.generated.line - 1 + (this.options.generatedLineOffset ?? 0),
      genCol: m.generated.column,
      src: this.indexOf(this.sources, this.sourceIndex, m.source ?? this.options.source),
      line: origLine0,
      col: origCol,
      name: m.name != null ? this.indexOf(this.names, this.nameIndex, m.name) : -1,
    };
    const last = this.segments[this.segments.length - 1];
    if (last && last.genLine === seg.genLine && last.genCol === seg.genCol) {
      this.segments[this.segments.length - 1] = seg; // one position, one mapping: the innermost node wins
      return;
    }
    this.segments.push(seg);
  }

  private indexOf(list: string[], index: Map<string, number>, s: string): number {
    let i = index.get(s);
    if (i === undefined) {
      i = list.length;
      list.push(s);
      index.set(s, i);
    }
    return i;
  }

  /** The `mappings` string. */
  private encode(): string {
    const segs = [...this.segments].sort((a, b) => a.genLine - b.genLine || a.genCol - b.genCol);
    let out = "";
    let line = 0;
    let prevCol = 0;
    let prevSrc = 0;
    let prevLine = 0;
    let prevOrigCol = 0;
    let prevName = 0;
    let first = true;
    for (const s of segs) {
      while (line < s.genLine) {
        out += ";";
        line++;
        prevCol = 0;
        first = true;
      }
      if (!first) out += ",";
      first = false;
      out += encodeVlq(s.genCol - prevCol) + encodeVlq(s.src - prevSrc) + encodeVlq(s.line - prevLine) + encodeVlq(s.col - prevOrigCol);
      if (s.name >= 0) {
        out += encodeVlq(s.name - prevName);
        prevName = s.name;
      }
      prevCol = s.genCol;
      prevSrc = s.src;
      prevLine = s.line;
      prevOrigCol = s.col;
    }
    return out;
  }

  toJSON(): SourceMapV3 {
    const map: SourceMapV3 = { version: 3, sources: [...this.sources], names: [...this.names], mappings: this.encode() };
    if (this.options.generatedFile) map.file = this.options.generatedFile;
    if (this.options.sourceContent != null) map.sourcesContent = this.sources.map((_, i) => (i === 0 ? this.options.sourceContent! : null));
    return map;
  }

  toString(): string {
    return JSON.stringify(this.toJSON());
  }

  /** `//# sourceMappingURL=data:application/json;base64,...` for this map. */
  toComment(): string {
    return sourceMappingURLComment(this.toJSON());
  }
}

/** The inline source-map comment for a map (a data: URL, so no file is written). */
export function sourceMappingURLComment(map: SourceMapV3 | string): string {
  const json = typeof map === "string" ? map : JSON.stringify(map);
  return `//# sourceMappingURL=data:application/json;charset=utf-8;base64,${Buffer.from(json, "utf8").toString("base64")}`;
}

type NodeLike = { type: string; loc?: unknown };
type GenerateFn = (node: NodeLike, state: { write(code: string, node?: NodeLike): void }) => void;

/**
 * astring's generator, changed to map the start of *every* node that has a `loc`.
 * astring alone maps only identifiers and literals, so a line such as
 * `throw new Error(msg)` has no mapping before `Error`; V8 reports the throw at
 * `new`, and Node then takes the previous line's mapping (measured: a throw at
 * user.js:5 showed as user.js:4). An empty write with the node records the
 * mapping and moves nothing.
 */
export function createMappedGenerator(base: Record<string, unknown> = GENERATOR as unknown as Record<string, unknown>): Record<string, GenerateFn> {
  const out: Record<string, GenerateFn> = Object.create(null);
  for (const type of Object.keys(base)) {
    const gen = base[type] as GenerateFn;
    if (typeof gen !== "function") continue;
    out[type] = function (this: unknown, node, state) {
      if (node.loc != null) state.write("", node);
      gen.call(this, node, state);
    };
  }
  return out;
}
