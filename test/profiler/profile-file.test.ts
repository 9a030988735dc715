import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { KosError } from "../../errors.js";
import { addUnsampledWrapped, foldCompiledVersions, mergeFeedback, readFeedbackDump, UNSAMPLED_FILE } from "../../profiler/feedback-merge.js";
import { findProfiledFunction, loadProfile, readProfile, sourceHash, sourceKey, validateProfile, writeProfile, type KosProfile } from "../../profiler/profile-file.js";
import { decodeValue, encodeValue, type FeedbackDump } from "../../profiler/profile-format.js";

const dir = mkdtempSync(join(tmpdir(), "kos-pf-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function hotFn(a: number, b: number) {
  return a * b + 1;
}
const coldFn = (x: string) => x.length;

function sampleProfile(): KosProfile {
  return {
    version: 1,
    command: ["node", "app.js"],
    date: new Date(0).toISOString(),
    durationMs: 1234,
    totalSamples: 100,
    source: "0x",
    flamegraph: "/tmp/flamegraph.html",
    hot: [
      { name: "hotFn", file: "/app/a.js", line: 3, column: 16, selfPercent: 80, totalPercent: 90, selfSamples: 80, totalSamples: 90, sourceHash: sourceHash(hotFn.toString()) },
      { name: "other", file: "/app/a.js", line: 9, column: 1, selfPercent: 5, totalPercent: 5, selfSamples: 5, totalSamples: 5 },
    ],
  };
}

function expectCode(fn: () => unknown, code: string) {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(KosError);
    expect((err as KosError).code).toBe(code);
    return;
  }
  throw new Error(`expected KosError ${code}`);
}

describe("sourceHash", () => {
  it("is the sha256 hex of the exact text", () => {
    expect(sourceHash("function f() {}")).toBe(createHash("sha256").update("function f() {}").digest("hex"));
    expect(sourceHash("function f() {}")).not.toBe(sourceHash("function f() { }"));
  });
});

describe("sourceKey", () => {
  it("is 16 hex digits that change with any character, the length included", () => {
    const k = sourceKey("function f() {}");
    expect(k).toMatch(/^[0-9a-f]{16}$/);
    expect(sourceKey("function f() {}")).toBe(k);
    for (const other of ["function f() { }", "function g() {}", "function f() {}\0", "", "function f() {", "\u{1F600}"]) expect(sourceKey(other)).not.toBe(k);
    // 20,000 texts that differ in one number: no two share a key.
    const keys = new Set(Array.from({ length: 20_000 }, (_, i) => sourceKey(`function f(x) { return x * ${i}; }`)));
    expect(keys.size).toBe(20_000);
  });

  it("matches live functions by key when every hashed entry has one, by sha256 otherwise", () => {
    const path = join(dir, "keyed.json");
    const text = hotFn.toString();
    const entry = sampleProfile().hot[0]!;
    // A key that disagrees with the hash shows which of the two the lookup used.
    writeProfile(path, { ...sampleProfile(), hot: [{ ...entry, sourceKey: sourceKey(text) }] });
    expect(loadProfile(path).lookup(hotFn)?.name).toBe("hotFn");
    writeProfile(path, { ...sampleProfile(), hot: [{ ...entry, sourceKey: sourceKey(text + " ") }] });
    expect(loadProfile(path).lookup(hotFn)).toBeUndefined();
    // A profile without keys (written before they existed) still matches by sha256.
    writeProfile(path, sampleProfile());
    expect(loadProfile(path).lookup(hotFn)?.name).toBe("hotFn");
    // stableOnly: only an entry with stable arguments, the ones KOS_PROFILE acts on.
    expect(loadProfile(path).lookup(hotFn, { stableOnly: true })).toBeUndefined();
    const stable = [{ index: 0, name: "a", stability: "constant" as const, value: 4 }];
    writeProfile(path, { ...sampleProfile(), hot: [{ ...entry, sourceKey: sourceKey(text), stableArgs: stable }, sampleProfile().hot[1]!] });
    expect(loadProfile(path).lookup(hotFn, { stableOnly: true })?.name).toBe("hotFn");
    expectCode(() => validateProfile({ ...sampleProfile(), hot: [{ ...entry, sourceKey: "xyz" }] }), "KOS_PROFILE_INVALID");
  });
});

describe("kos-profile.json read/write", () => {
  it("round-trips a profile", () => {
    const path = join(dir, "nested", "kos-profile.json");
    writeProfile(path, sampleProfile());
    expect(readProfile(path)).toEqual(sampleProfile());
  });

  it("rejects unreadable files, bad JSON, other versions and wrong shapes with distinct codes", () => {
    expectCode(() => readProfile(join(dir, "missing.json")), "KOS_PROFILE_READ");
    const badJson = join(dir, "bad.json");
    writeFileSync(badJson, "{ not json");
    expectCode(() => readProfile(badJson), "KOS_PROFILE_JSON");
    const v2 = join(dir, "v2.json");
    writeFileSync(v2, JSON.stringify({ ...sampleProfile(), version: 2 }));
    expectCode(() => loadProfile(v2), "KOS_PROFILE_VERSION");
    expectCode(() => validateProfile([]), "KOS_PROFILE_INVALID");
    expectCode(() => validateProfile({ ...sampleProfile(), source: "perf" }), "KOS_PROFILE_INVALID");
    expectCode(() => validateProfile({ ...sampleProfile(), hot: [{ name: "f", file: "x" }] }), "KOS_PROFILE_INVALID");
    expectCode(() => validateProfile({ ...sampleProfile(), hot: [{ ...sampleProfile().hot[0], sourceHash: "abc" }] }), "KOS_PROFILE_INVALID");
  });

  it("checks each stable-argument entry as the tiering reads it (a null one made jit() throw into the program, sweep35)", () => {
    const good = { index: 1, name: "k", stability: "constant", value: 7, type: "number" };
    const withArgs = (stableArgs: unknown[]) => ({ ...sampleProfile(), hot: [{ ...sampleProfile().hot[0], stableArgs }] });
    expect(() => validateProfile(withArgs([good, { index: -1, name: "this", stability: "shape" }]))).not.toThrow();
    for (const bad of [null, 3, [], { ...good, index: "1" }, { ...good, index: -2 }, { ...good, name: 5 }, { ...good, stability: "sometimes" }, { ...good, type: 1 }]) {
      expectCode(() => validateProfile(withArgs([good, bad])), "KOS_PROFILE_INVALID");
    }
  });

  it("refuses to write an invalid profile", () => {
    expectCode(() => writeProfile(join(dir, "x.json"), { ...sampleProfile(), totalSamples: Number.NaN }), "KOS_PROFILE_INVALID");
  });
});

describe("loadProfile and lookup", () => {
  const path = join(dir, "lookup.json");
  writeProfile(path, sampleProfile());

  it("finds a live function by the hash of its source text", () => {
    const loaded = loadProfile(path);
    expect(loaded.entries).toHaveLength(2);
    expect(loaded.lookup(hotFn)?.name).toBe("hotFn");
    expect(loaded.lookup(coldFn)).toBeUndefined();
  });

  it("matches a different function object with the same text (a re-created closure)", () => {
    const loaded = loadProfile(path);
    const clone = new Function(`return ${hotFn.toString()}`)() as Function;
    expect(loaded.lookup(clone)?.name).toBe("hotFn");
  });

  it("caches the hash per function", () => {
    const loaded = loadProfile(path);
    let calls = 0;
    const fn = function probe() {};
    // toString is read through Function.prototype, so count via a getter-free spy on the prototype.
    const original = Function.prototype.toString;
    Function.prototype.toString = function (this: Function) {
      if (this === fn) calls++;
      return original.call(this);
    };
    try {
      loaded.lookup(fn);
      loaded.lookup(fn);
    } finally {
      Function.prototype.toString = original;
    }
    expect(calls).toBeLessThanOrEqual(1);
  });
});

describe("findProfiledFunction with KOS_PROFILE", () => {
  const saved = process.env.KOS_PROFILE;
  afterEach(() => {
    if (saved === undefined) delete process.env.KOS_PROFILE;
    else process.env.KOS_PROFILE = saved;
  });

  it("returns undefined when KOS_PROFILE is unset, the entry when set", () => {
    delete process.env.KOS_PROFILE;
    expect(findProfiledFunction(hotFn)).toBeUndefined();
    const path = join(dir, "env.json");
    writeProfile(path, sampleProfile());
    process.env.KOS_PROFILE = path;
    expect(findProfiledFunction(hotFn)?.selfPercent).toBe(80);
    expect(findProfiledFunction(coldFn)).toBeUndefined();
  });

  it("throws a typed error when KOS_PROFILE names a bad file", () => {
    process.env.KOS_PROFILE = join(dir, "nope.json");
    expectCode(() => findProfiledFunction(hotFn), "KOS_PROFILE_READ");
  });
});

describe("feedback dump", () => {
  it("encodes and decodes every primitive, and refuses objects", () => {
    for (const v of [1.5, "s", true, null, undefined, NaN, Infinity, -Infinity, -0, 12n]) {
      const e = encodeValue(v);
      expect(e).not.toBeUndefined();
      expect(Object.is(decodeValue(JSON.parse(JSON.stringify(e))), v)).toBe(true);
    }
    expect(encodeValue({})).toBeUndefined();
    expect(encodeValue(() => 1)).toBeUndefined();
    expect(encodeValue(Symbol("s"))).toBeUndefined();
  });

  it("merges calls, deopts and stable args into the entry with the same hash", () => {
    const hash = sourceHash(hotFn.toString());
    const dump = (calls: number, deopts: number, stable: boolean): FeedbackDump => ({
      version: 1,
      pid: 1,
      functions: [{
        name: "hotFn", sourceHash: hash, calls, deopts, tier: 1,
        args: [
          { index: 0, name: "a", stability: stable ? "constant" : "varies", value: 4 },
          { index: 1, name: "b", stability: "type", type: "number" },
        ],
      }],
    });
    const merged = mergeFeedback(sampleProfile().hot, [dump(10, 1, false), dump(30, 2, true)]);
    expect(merged[0]).toMatchObject({ calls: 40, deopts: 3 });
    // Stable only where every thread saw it so: `a` varied in one of them (sweep35 repro-5).
    expect(merged[0]!.stableArgs!.map((a) => a.name)).toEqual(["b"]);
    expect(mergeFeedback(sampleProfile().hot, [dump(30, 2, true)])[0]!.stableArgs!.map((a) => a.name)).toEqual(["a", "b"]);
    expect(merged[1]).toEqual(sampleProfile().hot[1]);
    // A thread that dropped the function counted it until its last summary: the sum is a floor.
    expect(merged[0]!.callsAtLeast).toBeUndefined();
    const dropped = dump(30, 2, true);
    dropped.functions[0]!.collected = true;
    expect(mergeFeedback(sampleProfile().hot, [dump(10, 1, false), dropped])[0]).toMatchObject({ calls: 40, callsAtLeast: true });
    // Two workers that each called with their own constant: one type, no constant.
    const withK = (k: number, calls: number): FeedbackDump => ({ version: 1, pid: 1, functions: [{ name: "hotFn", sourceHash: hash, calls, deopts: 0, tier: 1, args: [{ index: 0, name: "a", stability: "constant", value: k, type: "number" }] }] });
    for (const order of [[withK(5, 100), withK(6, 90)], [withK(6, 90), withK(5, 100)]]) {
      expect(mergeFeedback(sampleProfile().hot, order)[0]!.stableArgs).toEqual([{ index: 0, name: "a", stability: "type", type: "number" }]);
    }
  });

  it("adds wrapped functions no sample caught (V8 inlined them) when they got hot by calls, so lookup finds them", () => {
    const inlined = (s: { k: number }, x: number) => x * s.k;
    const hash = sourceHash(inlined.toString());
    const fb = (calls: number, stable: boolean, fallbackReason?: string): FeedbackDump => ({
      version: 1, pid: 1,
      functions: [{ name: "inlined", sourceHash: hash, calls, deopts: 0, tier: 1, compileMs: 4.5, tier0UsPerCall: 0.02, ...(fallbackReason ? { fallbackReason } : {}),
        args: [{ index: 0, name: "s", stability: stable ? "constant" : "varies" }, { index: 1, name: "x", stability: "type", type: "number" }] }],
    });
    const hot = addUnsampledWrapped(sampleProfile().hot, [fb(3_840_000, true)], 1000);
    expect(hot).toHaveLength(3);
    expect(hot[2]!.callsAtLeast).toBeUndefined();
    const droppedFb = fb(3_840_000, true);
    droppedFb.functions[0]!.collected = true;
    expect(addUnsampledWrapped(sampleProfile().hot, [droppedFb], 1000)[2]).toMatchObject({ calls: 3_840_000, callsAtLeast: true });
    expect(hot[2]).toMatchObject({ name: "inlined", file: UNSAMPLED_FILE, selfSamples: 0, calls: 3_840_000, compileMs: 4.5, tier0UsPerCall: 0.02, sourceHash: hash });
    expect(hot[2]!.stableArgs!.map((a) => a.name)).toEqual(["s", "x"]);
    // The entry survives a write and a read, and lookup finds the live function by its hash.
    const file = join(dir, "unsampled.json");
    writeProfile(file, { ...sampleProfile(), hot });
    expect(loadProfile(file).lookup(inlined)?.calls).toBe(3_840_000);
    // Too few calls, nothing stable, a fallback, or a function that has its own entry: nothing added.
    expect(addUnsampledWrapped(sampleProfile().hot, [fb(999, true)], 1000)).toHaveLength(2);
    const varying = fb(5000, false);
    varying.functions[0]!.args = varying.functions[0]!.args.map((a) => ({ ...a, stability: "varies" as const }));
    expect(addUnsampledWrapped(sampleProfile().hot, [varying], 1000)).toHaveLength(2);
    expect(addUnsampledWrapped(sampleProfile().hot, [fb(5000, true, "USES_THIS: x")], 1000)).toHaveLength(2);
    // A function the run settled on the original (a reason, no tier reached) is added with its
    // reason, stable arguments or not, so that KOS_PROFILE returns it as it is.
    const short = fb(49_800, false, "its calls take under 20 ns");
    short.functions[0]!.tier = 0;
    short.functions[0]!.args = short.functions[0]!.args.map((a) => ({ ...a, stability: "varies" as const }));
    const withSettled = addUnsampledWrapped(sampleProfile().hot, [short], 1000);
    expect(withSettled).toHaveLength(3);
    expect(withSettled[2]).toMatchObject({ name: "inlined", calls: 49_800, tier: 0, fallbackReason: "its calls take under 20 ns", stableArgs: [] });
    writeProfile(file, { ...sampleProfile(), hot: withSettled });
    expect(loadProfile(file).lookup(inlined, { stableOnly: true })?.fallbackReason).toBe("its calls take under 20 ns");
    const hotFnHash = sourceHash(hotFn.toString());
    expect(addUnsampledWrapped(sampleProfile().hot, [{ ...fb(5000, true), functions: [{ ...fb(5000, true).functions[0]!, sourceHash: hotFnHash }] }], 1000)).toHaveLength(2);
  });

  it("reads a dump, treats a missing file as no feedback, and rejects garbage", () => {
    expect(readFeedbackDump(join(dir, "none.json"))).toBeUndefined();
    const p = join(dir, "fb.json");
    writeFileSync(p, JSON.stringify({ version: 1, pid: 2, functions: [] }));
    expect(readFeedbackDump(p)?.pid).toBe(2);
    writeFileSync(p, "[1,2");
    expectCode(() => readFeedbackDump(p), "KOS_FEEDBACK_INVALID");
    writeFileSync(p, JSON.stringify({ version: 1, pid: 2, functions: [{ name: "x" }] }));
    expectCode(() => readFeedbackDump(p), "KOS_FEEDBACK_INVALID");
  });

  it("folds kos's compiled version (kos://name.js) into the original function's entry", () => {
    const hash = sourceHash(hotFn.toString());
    const dump: FeedbackDump = { version: 1, pid: 1, functions: [{ name: "hotFn", sourceHash: hash, calls: 5, deopts: 0, tier: 1, args: [] }] };
    const compiled = { name: "hotFn", file: "kos://hotFn.js", line: 5, column: 24, selfPercent: 30, totalPercent: 30, selfSamples: 30, totalSamples: 30 };
    const original = { ...sampleProfile().hot[0]!, selfPercent: 1, totalPercent: 1, selfSamples: 1, totalSamples: 1 };
    const other = { ...sampleProfile().hot[1]! };
    const folded = foldCompiledVersions([compiled, other, original], [dump]);
    expect(folded.map((e) => [e.file, e.selfSamples, e.selfPercent])).toEqual([["/app/a.js", 31, 31], ["/app/a.js", 5, 5]]);
    expect(folded[0]!.sourceHash).toBe(hash);
    // Without an entry for the original, the compiled one takes its hash, so lookup(hotFn) finds it.
    const alone = foldCompiledVersions([compiled, other], [dump]);
    expect(alone[0]).toMatchObject({ file: "kos://hotFn.js", sourceHash: hash });
    // A name shared by two tiered functions is ambiguous: left alone.
    const twice: FeedbackDump = { ...dump, functions: [...dump.functions, { ...dump.functions[0]!, sourceHash: "f".repeat(64) }] };
    expect(foldCompiledVersions([compiled], [twice])[0]!.sourceHash).toBeUndefined();
  });
});
