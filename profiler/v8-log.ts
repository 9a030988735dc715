/**
 * Reads 0x's `isolate-*-v8.log.json` (V8's `--prof` log after
 * `--prof-process --preprocess`) into weighted stacks.
 *
 * Format, as 0x 6 writes it on Node 20:
 * - `code[k]`: `{ name, type, kind, func?, source? }`. JS code names read
 *   `"fn /path/file.js:3:18"` (1-based line and column of V8's function
 *   position); `type` is `JS`, `CPP`, `CODE` or `SHARED_LIB`.
 * - `code[k].source`: `{ script, start, end, positions, inlined, fns }`.
 *   `positions` maps machine-code offsets to source offsets,
 *   `C<pc>O<offset>[I<inlining id>]`; `inlined` lists inlining ids,
 *   `F<index into fns>O<call offset>[I<parent id>]`; `fns` holds indexes
 *   into `functions`, whose `name` reads like a code name.
 * - `ticks[i]`: `{ tm, vm, s }`; `s` holds (code index, pc offset) pairs,
 *   top frame first; code index -1 is an address V8 could not resolve.
 *   `vm` is V8's StateTag: 1 = GC, 8 = IDLE.
 * - `scripts[id]`: `{ url, source }`.
 *
 * Inlined frames are rebuilt from the inlining ids of the sampled pc. When a
 * code object carries no inlining ids but the pc maps to a source offset
 * inside a function 0x's `meta.json` `inlined` map lists as inlined into this
 * caller, the sample goes to that callee.
 */
import { type Frame, type StackSample } from "./stack.js";
import { lineStarts, functionAtOffset, scriptFunctions } from "./function-source.js";

export interface V8LogCodeSource {
  script: number;
  start: number;
  end: number;
  positions?: string;
  inlined?: string;
  fns?: number[];
}

export interface V8LogCode {
  name: string;
  type: string;
  kind?: string;
  func?: number;
  source?: V8LogCodeSource;
}

export interface V8LogJson {
  code: (V8LogCode | null)[];
  functions?: ({ name: string; codes?: number[] } | null)[];
  ticks: { tm: number; vm: number; s: number[] }[];
  scripts?: ({ url?: string; source?: string } | null)[];
}

/** 0x's `meta.json` `inlined` map: callee key `"fn file"` → where it was inlined. */
export type ZeroXInlinedMap = Record<string, { file: string; fn: string; pos: string | number; caller: { fn: string; file: string; key: string; pos?: string | number } }[]>;

/** "fn /path:3:18", " /path:1:1" (anonymous), "fn :1:100" (eval or new Function code: no URL). */
const CODE_NAME = /^(.*) (\S*):(\d+):(\d+)$/;
const VM_GC = 1;
const VM_IDLE = 8;
/** 0x's own preload scripts run in the profiled process; they are not the program. */
const INSTRUMENTATION = /[\\/]0x[\\/]lib[\\/]preload[\\/]/;

/** Parses a JS code name `"fn /path:line:col"` into a frame (0-based line/column). */
export function frameFromCodeName(name: string): Frame | undefined {
  const m = CODE_NAME.exec(name);
  if (!m) return undefined;
  return { name: m[1]!.trim(), url: m[2]!, line: Number(m[3]) - 1, column: Number(m[4]) - 1 };
}

interface PositionEntry {
  pc: number;
  offset: number;
  inlining: number;
}

interface Decoded {
  positions: PositionEntry[];
  inlinings: { fn: number; parent: number }[];
}

function decode(src: V8LogCodeSource): Decoded {
  const positions: PositionEntry[] = [];
  for (const m of (src.positions ?? "").matchAll(/C(\d+)O(\d+)(?:I(\d+))?/g)) {
    positions.push({ pc: Number(m[1]), offset: Number(m[2]), inlining: m[3] === undefined ? -1 : Number(m[3]) });
  }
  positions.sort((a, b) => a.pc - b.pc);
  const inlinings: { fn: number; parent: number }[] = [];
  for (const m of (src.inlined ?? "").matchAll(/F(\d+)O(\d+)(?:I(\d+))?/g)) {
    inlinings.push({ fn: Number(m[1]), parent: m[3] === undefined ? -1 : Number(m[3]) });
  }
  return { positions, inlinings };
}

function entryAt(positions: PositionEntry[], pc: number): PositionEntry | undefined {
  let lo = 0;
  let hi = positions.length - 1;
  let found: PositionEntry | undefined;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (positions[mid]!.pc <= pc) {
      found = positions[mid];
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

export interface V8LogStackOptions {
  /** 0x's `meta.json` `inlined` map, used when code carries no inlining ids. */
  inlined?: ZeroXInlinedMap;
}

/** Weighted stacks (root first) from a 0x v8 log. Native frames fold into the JS frame below them. */
export function stacksFromV8Log(log: V8LogJson, options: V8LogStackOptions = {}): StackSample[] {
  const decoded = new Map<number, Decoded>();
  const fnFrames = new Map<number, Frame | undefined>();
  const fnFrame = (index: number): Frame | undefined => {
    if (!fnFrames.has(index)) {
      const name = log.functions?.[index]?.name;
      fnFrames.set(index, name ? frameFromCodeName(name) : undefined);
    }
    return fnFrames.get(index);
  };
  const codeFrames = new Map<number, Frame | null>();
  const codeFrame = (k: number): Frame | null => {
    let f = codeFrames.get(k);
    if (f === undefined) {
      const c = log.code[k];
      f = (c && c.type === "JS" && frameFromCodeName(c.name)) || null;
      if (f && INSTRUMENTATION.test(f.url)) f = null;
      codeFrames.set(k, f);
    }
    return f;
  };
  const byCaller = new Map<string, { fn: string; file: string; pos: number }[]>();
  for (const entries of Object.values(options.inlined ?? {})) {
    for (const e of entries) {
      const list = byCaller.get(e.caller.key) ?? [];
      if (!list.some((x) => x.fn === e.fn && x.pos === Number(e.pos))) list.push({ fn: e.fn, file: e.file, pos: Number(e.pos) });
      byCaller.set(e.caller.key, list);
    }
  }

  /** Frames (outermost first) for code k sampled at pc; more than one when the pc is in inlined code. */
  const expand = (k: number, pc: number, own: Frame): Frame[] => {
    const src = log.code[k]?.source;
    if (!src || !src.positions) return [own];
    let d = decoded.get(k);
    if (!d) decoded.set(k, (d = decode(src)));
    const at = entryAt(d.positions, pc);
    if (!at) return [own];
    if (at.inlining >= 0 && src.fns) {
      const chain: Frame[] = [];
      for (let id = at.inlining, guard = 0; id >= 0 && guard < 64; guard++) {
        const inl = d.inlinings[id];
        if (!inl) break;
        const f = fnFrame(src.fns[inl.fn] ?? -1);
        if (f) chain.push({ ...f, inlined: true });
        id = inl.parent;
      }
      return [own, ...chain.reverse()];
    }
    // Only optimized code has inlined callees; unoptimized positions must stay with their function.
    const kind = log.code[k]?.kind ?? "";
    const callees = kind === "Unopt" || kind === "Sparkplug" || kind === "Baseline" ? undefined : byCaller.get(`${own.name} ${own.url}`);
    const text = callees && log.scripts?.[src.script]?.source;
    if (callees && text) {
      const script = scriptFunctions(text);
      const f = script && functionAtOffsetContaining(script, at.offset, callees.map((c) => c.pos));
      if (f) {
        const starts = lineStarts(text);
        let line = 0;
        while (line + 1 < starts.length && starts[line + 1]! <= f.pos) line++;
        return [own, { name: f.name, url: own.url, line, column: f.pos - starts[line]!, inlined: true }];
      }
    }
    return [own];
  };

  /** The innermost listed callee whose text contains `offset`. */
  const functionAtOffsetContaining = (script: NonNullable<ReturnType<typeof scriptFunctions>>, offset: number, positions: number[]) => {
    let best: { name: string; pos: number; start: number } | undefined;
    for (const pos of positions) {
      const f = functionAtOffset(script, pos);
      if (f && offset >= f.textStart && offset < f.textEnd && (!best || f.textStart > best.start)) best = { name: f.name, pos, start: f.textStart };
    }
    return best;
  };

  const stacks = new Map<string, StackSample>();
  const add = (frames: Frame[]) => {
    const key = frames.map((f) => `${f.name}\u0000${f.url}:${f.line}:${f.column}:${f.inlined ? 1 : 0}`).join("\n");
    const s = stacks.get(key);
    if (s) s.weight++;
    else stacks.set(key, { frames, weight: 1 });
  };
  for (const tick of log.ticks) {
    if (tick.vm === VM_IDLE) {
      add([{ name: "(idle)", url: "", line: -1, column: -1 }]);
      continue;
    }
    if (tick.vm === VM_GC) {
      add([{ name: "(garbage collector)", url: "", line: -1, column: -1 }]);
      continue;
    }
    const leafFirst: Frame[] = [];
    const s = tick.s;
    for (let i = 0; i + 1 < s.length; i += 2) {
      const k = s[i]!;
      if (k < 0) continue;
      const own = codeFrame(k);
      if (!own) continue;
      // Return addresses point after the call: look up pc - 1 for callers.
      const pc = leafFirst.length === 0 && i === 0 ? s[i + 1]! : s[i + 1]! - 1;
      const frames = expand(k, pc, own);
      for (let j = frames.length - 1; j >= 0; j--) leafFirst.push(frames[j]!);
    }
    if (leafFirst.length === 0) add([{ name: "(program)", url: "", line: -1, column: -1 }]);
    else add(leafFirst.reverse());
  }
  return [...stacks.values()];
}
