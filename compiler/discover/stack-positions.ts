/**
 * Where each function on the current stack is executing: the source offset of every
 * frame, grouped by V8's hash of the frame's script (the hash Debugger.scriptParsed
 * reports too). It tells whether an activation that writes a binding is still running.
 *
 * It installs its own `Error.prepareStackTrace` and an unlimited `Error.stackTraceLimit`
 * for the one capture, so that neither a program's formatter (source-map-support rewrites
 * positions) nor a short limit changes what is seen; both are restored before it returns.
 * "Unlimited" is the largest small integer (NO_LIMIT), never `Infinity`: one store of a
 * double into `Error.stackTraceLimit` generalizes that field of the Error constructor for
 * good, and every later store of a program's own limit is slower and allocates. joi, which
 * sets the limit to 0 and back around each ValidationError it makes, validated at 4.1-5.4 µs
 * a call after one `Error.stackTraceLimit = Infinity; Error.stackTraceLimit = 10`, against
 * 3.0-3.1 µs without it or with 2 ** 30 - 1 (Node 20.20.2): every jit() that read a closure
 * made such programs slower, compiled or not.
 * Cost, mean of 2000 captures on this machine: 7 µs with 3 frames on the stack, 16.5 µs
 * with 33, 27.5 µs with 103; the closure read it accompanies takes 200-500 µs.
 */
/** The largest small integer (a V8 Smi with pointer compression): no stack is that deep. */
const NO_LIMIT = 2 ** 30 - 1;

type CallSiteLike = { getScriptHash?(): string; getPosition?(): number; getFileName?(): string | null | undefined };

/** Frame offsets by script hash, or null when the stack cannot be read (Error locked down). */
export function stackPositions(): Map<string, number[]> | null {
  const E = Error as ErrorConstructor & { prepareStackTrace?: unknown; stackTraceLimit: number };
  const savedPrepare = E.prepareStackTrace;
  const savedLimit = E.stackTraceLimit;
  const holder: { stack?: unknown } = {};
  try {
    E.prepareStackTrace = (_e: unknown, sites: CallSiteLike[]) => sites;
    E.stackTraceLimit = NO_LIMIT;
    E.captureStackTrace(holder, stackPositions);
    const sites = holder.stack;
    if (!Array.isArray(sites)) return null;
    const out = new Map<string, number[]>();
    // The frames of the caller's own script (kos's compiler: one bundled script in the build) are
    // skipped unhashed: no binding a program closes over lives there, and V8 hashes a script's whole
    // source at its first getScriptHash, 6.3 ms for a 600 KB script (a probe, Node 20.20.2; cached
    // after), which the first closure read of every process paid for the compiler's bundle.
    const own = (sites as CallSiteLike[])[0]?.getFileName?.();
    for (const site of sites as CallSiteLike[]) {
      if (own && site.getFileName?.() === own) continue;
      const hash = site.getScriptHash?.();
      const pos = site.getPosition?.();
      if (!hash || typeof pos !== "number") continue;
      let list = out.get(hash);
      if (!list) out.set(hash, (list = []));
      list.push(pos);
    }
    return out;
  } catch {
    return null;
  } finally {
    try {
      E.prepareStackTrace = savedPrepare;
      E.stackTraceLimit = savedLimit;
    } catch {
      // A frozen Error: nothing was changed.
    }
  }
}
