/**
 * A `.cpuprofile` as a pprof profile (`profile.pb.gz`), for `go tool pprof`,
 * Pyroscope and Grafana, written with the `pprof-format` package.
 *
 * Each `.cpuprofile` node becomes one location (its function at the node's
 * line, the hottest of its positionTicks when V8 recorded them), so stacks
 * keep their shape. Samples carry two values, `samples/count` and
 * `cpu/nanoseconds` (from the profile's own timeDeltas), and a `thread` label
 * when several threads are pooled.
 */
import { gzipSync, gunzipSync } from "node:zlib";
import { Function as PprofFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from "pprof-format";
import type { CpuProfile } from "./cpuprofile.js";

export interface PprofInput {
  profile: CpuProfile;
  /** A label for the thread or process the profile came from. */
  thread?: string;
}

/** Encodes one or more `.cpuprofile`s as one gzipped pprof profile. */
export function cpuProfilesToPprof(inputs: PprofInput[]): Uint8Array {
  const strings = new StringTable();
  const functions = new Map<string, PprofFunction>();
  const locations: Location[] = [];
  const samples: Sample[] = [];
  const sampleType = [new ValueType({ type: strings.dedup("samples"), unit: strings.dedup("count") }), new ValueType({ type: strings.dedup("cpu"), unit: strings.dedup("nanoseconds") })];
  let start = Infinity;
  let end = -Infinity;
  let totalInterval = 0;
  let intervals = 0;
  for (const { profile, thread } of inputs) {
    start = Math.min(start, profile.startTime);
    end = Math.max(end, profile.endTime);
    const parent = new Map<number, number>();
    for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const locationOf = new Map<number, number>();
    for (const n of profile.nodes) {
      const c = n.callFrame;
      const name = c.functionName || "(anonymous)";
      const key = `${name}\u0000${c.url}\u0000${c.lineNumber}\u0000${c.columnNumber}`;
      let fn = functions.get(key);
      if (!fn) {
        fn = new PprofFunction({ id: functions.size + 1, name: strings.dedup(name), systemName: strings.dedup(name), filename: strings.dedup(c.url), startLine: Math.max(0, c.lineNumber + 1) });
        functions.set(key, fn);
      }
      const hottest = (n.positionTicks ?? []).reduce<{ line: number; ticks: number } | null>((best, t) => (!best || t.ticks > best.ticks ? t : best), null);
      const loc = new Location({ id: locations.length + 1, line: [new Line({ functionId: fn.id, line: hottest ? hottest.line : Math.max(0, c.lineNumber + 1) })] });
      locations.push(loc);
      locationOf.set(n.id, loc.id as number);
    }
    const label = thread ? [new Label({ key: strings.dedup("thread"), str: strings.dedup(thread) })] : [];
    // Aggregate identical leaf nodes: one pprof sample per node with its count and time.
    const counts = new Map<number, { n: number; ns: number }>();
    const ids = profile.samples ?? [];
    const deltas = profile.timeDeltas ?? [];
    for (let i = 0; i < ids.length; i++) {
      const c = counts.get(ids[i]!) ?? { n: 0, ns: 0 };
      c.n++;
      // timeDeltas[i] is the time before sample i; the time after it is the next delta (µs).
      const us = Math.max(0, deltas[i + 1] ?? deltas[i] ?? 0);
      c.ns += us * 1000;
      totalInterval += us;
      intervals++;
      counts.set(ids[i]!, c);
    }
    if (ids.length === 0) for (const n of profile.nodes) if (n.hitCount) counts.set(n.id, { n: n.hitCount, ns: 0 });
    const byId = new Map(profile.nodes.map((x) => [x.id, x]));
    for (const [id, c] of counts) {
      const name = byId.get(id)?.callFrame.functionName;
      if (name === "(idle)" || name === "(root)") continue;
      const stack: number[] = [];
      for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) stack.push(locationOf.get(cur)!);
      stack.pop(); // (root)
      samples.push(new Sample({ locationId: stack, value: [c.n, Math.round(c.ns)], label }));
    }
  }
  const periodUs = intervals ? totalInterval / intervals : 1000;
  const profile = new Profile({
    sampleType,
    sample: samples,
    location: locations,
    function: [...functions.values()],
    stringTable: strings,
    timeNanos: Number.isFinite(start) ? BigInt(Math.round(Date.now() - (end - start) / 1000)) * 1_000_000n : 0,
    durationNanos: Number.isFinite(start) ? Math.round((end - start) * 1000) : 0,
    periodType: sampleType[1]!,
    period: Math.round(periodUs * 1000),
  });
  return gzipSync(profile.encode());
}

/** Reads a gzipped (or plain) pprof profile back. */
export function readPprof(bytes: Uint8Array): Profile {
  const plain = bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes;
  return Profile.decode(plain);
}
