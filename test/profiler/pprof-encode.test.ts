import { describe, expect, it } from "vitest";
import { Function as PprofFunction, Label, Line, Location, Profile, Sample, StringTable, ValueType } from "pprof-format";
import { encodePprof, type PprofProfile } from "../../profiler/pprof-encode.js";
import { cpuProfilesToPprof, readPprof } from "../../profiler/pprof.js";
import { warmCpuProfile } from "../../profiler/warm-profile.js";

/** The same profile through pprof-format's own encoder, the reference. */
function referenceBytes(p: PprofProfile): Uint8Array {
  const strings = new StringTable();
  for (const s of p.strings.slice(1)) strings.dedup(s);
  const vt = (t: { type: number; unit: number }) => new ValueType({ type: t.type, unit: t.unit });
  return new Profile({
    sampleType: p.sampleTypes.map(vt),
    sample: p.samples.map((s) => new Sample({ locationId: s.locationIds, value: s.values, label: s.labels.map((l) => new Label({ key: l.key, str: l.str })) })),
    location: p.locations.map((l) => new Location({ id: l.id, line: [new Line({ functionId: l.functionId, line: l.line })] })),
    function: p.functions.map((f) => new PprofFunction({ id: f.id, name: f.name, systemName: f.systemName, filename: f.filename, startLine: f.startLine })),
    stringTable: strings,
    timeNanos: p.timeNanos,
    durationNanos: p.durationNanos,
    periodType: vt(p.periodType),
    period: p.period,
  }).encode();
}

/** What pprof-format decodes, as plain JSON (numbers and bigints alike as strings). */
const decoded = (bytes: Uint8Array) => JSON.parse(JSON.stringify(Profile.decode(bytes), (_, v) => (typeof v === "bigint" || typeof v === "number" ? String(v) : v)));

describe("encodePprof", () => {
  it("decodes to what pprof-format's own encoder gives, large numbers, empty strings and zeros included", () => {
    const profile: PprofProfile = {
      sampleTypes: [{ type: 1, unit: 2 }, { type: 3, unit: 4 }],
      samples: [
        { locationIds: [3, 2, 1], values: [5, 5_000_000], labels: [] },
        { locationIds: [1], values: [0, 2 ** 40 + 7], labels: [{ key: 5, str: 6 }] },
      ],
      locations: [
        { id: 1, functionId: 1, line: 0 },
        { id: 2, functionId: 2, line: 300 },
        { id: 3, functionId: 1, line: 2 ** 31 + 5 },
      ],
      functions: [
        { id: 1, name: 7, systemName: 7, filename: 0, startLine: 0 },
        { id: 2, name: 8, systemName: 8, filename: 9, startLine: 129 },
      ],
      strings: ["", "samples", "count", "cpu", "nanoseconds", "thread", "1/0", "(anonymous)", "fünf ☃", "file:///a b.js"],
      timeNanos: 1_765_000_000_000_000_000n,
      durationNanos: 2 ** 33,
      periodType: { type: 3, unit: 4 },
      period: 1_000_000,
    };
    expect(decoded(encodePprof(profile))).toEqual(decoded(referenceBytes(profile)));
  });

  it("writes a .cpuprofile's samples, functions and thread labels (one thread and two)", () => {
    for (const threads of [1, 2]) {
      const inputs = Array.from({ length: threads }, (_, i) => ({ profile: warmCpuProfile(i), thread: threads > 1 ? `1/${i}` : undefined }));
      const pprof = readPprof(cpuProfilesToPprof(inputs));
      const str = (i: unknown) => pprof.stringTable.strings[Number(i)];
      expect(pprof.sampleType.map((t) => `${str(t.type)}/${str(t.unit)}`)).toEqual(["samples/count", "cpu/nanoseconds"]);
      // Every sample but (idle)'s, each thread's.
      const total = pprof.sample.reduce((n, s) => n + Number(s.value[0]), 0);
      const perThread = warmCpuProfile(0).samples!.length - 1;
      expect(total).toBe(perThread * threads);
      const inner = pprof.function.find((f) => str(f.name) === "inner")!;
      expect(str(inner.filename)).toBe("file:///kos-warm-up/app.js");
      expect(Number(inner.startLine)).toBe(7);
      if (threads > 1) expect(new Set(pprof.sample.map((s) => str(s.label[0]!.str)))).toEqual(new Set(["1/0", "1/1"]));
      else expect(pprof.sample.every((s) => s.label.length === 0)).toBe(true);
      // A stack reads leaf first: inner's samples sit under the entry and outer.
      const innerLocations = new Set(pprof.location.filter((l) => Number(l.line[0]!.functionId) === Number(inner.id)).map((l) => Number(l.id)));
      const innerSample = pprof.sample.find((s) => innerLocations.has(Number(s.locationId[0])))!;
      const names = innerSample.locationId.map((id) => str(pprof.function.find((f) => Number(f.id) === Number(pprof.location.find((l) => Number(l.id) === Number(id))!.line[0]!.functionId))!.name));
      expect(names).toEqual(["inner", "entry", "outer", "(anonymous)"]);
    }
  });
});
