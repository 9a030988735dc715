/**
 * The record of every tiered function's feedback, for the dump `kos profile`
 * reads (`KOS_FEEDBACK_OUT`).
 *
 * Live functions are held weakly: kos must not keep alive a function the
 * program dropped. A function that got hot (it tiered up, or reached
 * {@link RECORD_AFTER_CALLS} calls) also leaves a copy of its summary in a
 * strong record, refreshed as it keeps running, so dropping it before exit
 * (the usual end of a batch job, then a GC) does not drop it from the profile.
 * (A module-level `const f = jit(g)` used only by top-level code is such a
 * case: V8 keeps it in a register of the module's code, dead once the module
 * has run.)
 */
import type { FeedbackDump, FunctionFeedback } from "./profile-format.js";
import { sourceHash } from "./profile-file.js";

/** Calls after which a function's summary is kept even if the program drops it. */
export const RECORD_AFTER_CALLS = 1000;

export interface FeedbackSource {
  readonly id: number;
  /** The function's source text, whose hash the summary carries. */
  readonly source: string;
  /** With `hash: false`, `sourceHash` is left empty: hashing loads node:crypto, which a kept copy can wait for. */
  summary(options?: { hash?: boolean }): FunctionFeedback;
}

const live = new Map<number, WeakRef<FeedbackSource>>();
const forget = new FinalizationRegistry<number>((id) => live.delete(id));
// A kept copy holds the text, not the function (that would keep a dropped function alive), and
// is hashed only when the record is read.
const kept = new Map<number, { feedback: FunctionFeedback; text: string }>();
let nextId = 1;

export function newFeedbackId(): number {
  return nextId++;
}

/** Watches a tiered function weakly. */
export function watch(source: FeedbackSource): void {
  live.set(source.id, new WeakRef(source));
  forget.register(source, source.id);
}

// Kept summaries of live functions are refreshed once a second (an unref'd timer: it never
// keeps the process alive), so a function dropped later loses at most a second of counts.
const REFRESH_MS = 1000;
let refresher: ReturnType<typeof setInterval> | null = null;

/** Keeps (or refreshes) a strong copy of a hot function's summary. */
export function keep(source: FeedbackSource): void {
  kept.set(source.id, { feedback: source.summary({ hash: false }), text: source.source });
  if (!refresher) {
    refresher = setInterval(() => {
      for (const id of kept.keys()) {
        const s = live.get(id)?.deref();
        if (s) kept.set(id, { feedback: s.summary({ hash: false }), text: s.source });
      }
    }, REFRESH_MS);
    refresher.unref();
  }
}

/**
 * A kept summary's call count, brought up to date at the policy's observations: a program that
 * drops its functions before exit (module-level consts of a script's top-level loop, which V8 holds
 * in registers) had counts of the last refresh, up to half the real ones (the timer never runs
 * during a synchronous loop), and the profile's cost model multiplies its time per call by them.
 */
export function keptCalls(id: number, calls: number): void {
  const k = kept.get(id);
  if (k) k.feedback.calls = calls;
}

/**
 * The feedback of every tiered function: live ones as they are now, dropped hot ones as last kept
 * (marked `collected`). With `hash: false`, a function whose text was not hashed yet carries the
 * text (`source`) and an empty `sourceHash`, for the reader to hash (the dump written at exit).
 */
export function collectFeedback(options: { hash?: boolean } = {}): FeedbackDump {
  const hash = options.hash !== false;
  const functions: FunctionFeedback[] = [];
  const seen = new Set<number>();
  for (const [id, ref] of live) {
    const s = ref.deref();
    if (!s) continue;
    seen.add(id);
    const f = s.summary({ hash });
    functions.push(f.sourceHash ? f : { ...f, source: s.source });
  }
  for (const [id, k] of kept) {
    if (seen.has(id)) continue;
    const h = k.feedback.sourceHash || (hash ? sourceHash(k.text) : "");
    functions.push({ ...k.feedback, sourceHash: h, collected: true, ...(h ? {} : { source: k.text }) });
  }
  return { version: 1, pid: process.pid, functions };
}

if (process.env.KOS_FEEDBACK_OUT) {
  const out = process.env.KOS_FEEDBACK_OUT;
  process.on("exit", () => {
    try {
      // Unhashed where the reader says it hashes the texts (`kos profile` sets KOS_FEEDBACK_UNHASHED;
      // an older one does not, and would take the empty hashes for real ones): node:crypto's load
      // was 2.4-3.7 ms of this handler.
      const dump = collectFeedback({ hash: process.env.KOS_FEEDBACK_UNHASHED !== "1" });
      if (dump.functions.length === 0) return; // e.g. a launcher process (tsx, npm): leave the program's dump alone
      // Several processes of one run (a launcher and its child, a cluster) add to one file.
      try {
        const before = JSON.parse(process.getBuiltinModule("node:fs").readFileSync(out, "utf8")) as FeedbackDump;
        if (before?.version === 1 && Array.isArray(before.functions)) dump.functions = [...before.functions, ...dump.functions];
      } catch {
        /* no earlier dump */
      }
      // node:fs through process.getBuiltinModule: its ES module would load streams with kos (see profile-file.ts).
      process.getBuiltinModule("node:fs").writeFileSync(out, JSON.stringify(dump));
    } catch (e) {
      process.stderr.write(`kos: could not write feedback to ${out}: ${(e as Error).message}\n`);
    }
  });
}
