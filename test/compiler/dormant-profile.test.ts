/**
 * The dormant tier under `KOS_PROFILE` (compiler/dormant.ts, settleByProfile): in a fresh process
 * from the build, a `jit(fn)` whose profile entry carries a settle verdict (profiler/profile-verdicts.ts)
 * returns `fn` itself, as the core would, without loading the core; every other case is the core's,
 * as before. The last test is differential: a program profiled by `kos profile`, run under its
 * profile with the verdicts and without them (then the core decides each function), shows the same.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main } from "../../cli/profile.js";
import { sourceKey, type KosProfile } from "../../profiler/profile-file.js";
import { VERDICT_MODEL } from "../../profiler/recorded-verdicts.js";

const repo = resolve(__dirname, "..", "..");
const dir = mkdtempSync(join(tmpdir(), "kos-dormant-profile-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs a script (an ES module) that imports kos's build, with kos's variables from `env` only; its stdout's last line as JSON, and its trace lines. */
function run(script: string, env: Record<string, string> = {}, argv: string[] = []): { out: Record<string, unknown>; trace: string[] } {
  const clean = { ...process.env };
  for (const k of Object.keys(clean)) if (k.startsWith("KOS_") || k === "NODE_DEBUG" || k === "MIXED") delete clean[k];
  const args = script.endsWith(".mjs") ? [script, ...argv] : ["--input-type=module", "-e", `import { jit, inspect } from "kos";\nimport { coreLoaded } from "./dist/lazy-modules.js";\n${script}`];
  const r = spawnSync(process.execPath, args, { cwd: repo, env: { ...clean, KOS_TRACE: "1", ...env }, encoding: "utf8", timeout: 60_000 });
  expect(r.status, r.stderr).toBe(0);
  return { out: JSON.parse(r.stdout.trim().split("\n").pop()!) as Record<string, unknown>, trace: r.stderr.split("\n").filter((l) => l.startsWith("kos: ")) };
}

const scaleText = "function scale(k, x) { return k * x; }";
const tooShort = "its calls take under 20 ns: too short for a compiled version to gain what its guards cost";
const settled = `the profiled run settled it on the original: ${tooShort}`;

/** A profile with one entry, for `scale`, settled in the profiled run: with its verdict unless `verdict` is false. */
function profile(name: string, changes: Partial<KosProfile> = {}, verdict = true): string {
  const p: KosProfile = {
    version: 1, command: ["node", "app.js"], date: new Date(0).toISOString(), durationMs: 100, totalSamples: 100, source: "cpu-prof", flamegraph: null,
    ...(verdict ? { verdictModel: VERDICT_MODEL } : {}),
    hot: [{ name: "scale", file: "(inlined, not sampled)", line: 0, column: 0, selfPercent: 0, totalPercent: 0, selfSamples: 0, totalSamples: 0, sourceKey: sourceKey(scaleText), calls: 50_000, tier: 0, fallbackReason: tooShort, stableArgs: [], ...(verdict ? { settle: settled } : {}) }],
    ...changes,
  };
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(p));
  return path;
}

/** jit() of scale (and of `other`, unknown to the profile, after it when `withOther`), and what inspect shows. */
const script = (withOther = false) => `
  const f = jit(${scaleText});
  const loadedAfterScale = coreLoaded();
  const g = ${withOther ? "jit(function other(a) { return a + 1; })" : "null"};
  let s = 0;
  for (let i = 0; i < 1000; i++) s += f(3, i);
  const info = inspect(f);
  console.log(JSON.stringify({ s, itself: f.toString() === ${JSON.stringify(scaleText)} && f.name === "scale" && !!f.prototype,
    loadedAfterScale, coreLoaded: coreLoaded(), tier: info.tier, reason: info.fallbackReason, history: info.history.map((h) => [h.event, h.detail]), calls: info.calls,
    other: g && inspect(g).history[0].event }));`;

describe("the dormant tier under KOS_PROFILE", () => {
  it("settles a function whose entry carries a settle verdict as the core would, without loading the core", () => {
    const path = profile("one.json");
    const { out, trace } = run(script(), { KOS_PROFILE: path });
    expect(out).toMatchObject({ s: 3 * 499500, itself: true, loadedAfterScale: false, coreLoaded: false, tier: "fallback", reason: settled, history: [["fallback", settled]], calls: 0 });
    expect(trace).toEqual([`kos: generic scale: ${settled}`]);
    // The core decides the same from the same entry without the verdict.
    const core = run(script(), { KOS_PROFILE: profile("one-core.json", {}, false) });
    expect(core.out).toEqual({ ...out, loadedAfterScale: true, coreLoaded: true });
    expect(core.trace).toEqual(trace);
  });

  it("returns the function itself: jit() of it again settles it again, and it stays settled once the core loads", () => {
    const path = profile("again.json");
    const { out } = run(`
      function scale(k, x) { return k * x; }
      const f = jit(scale), f2 = jit(scale);
      const before = coreLoaded();
      const g = jit(function other(a) { return a + 1; });
      g(1);
      console.log(JSON.stringify({ same: f === scale && f2 === scale, before, after: coreLoaded(), tier: inspect(f).tier, history: inspect(f).history.length, other: inspect(g).history[0].event }));`, { KOS_PROFILE: path });
    expect(out).toEqual({ same: true, before: false, after: true, tier: "fallback", history: 1, other: "tier0" });
  });

  it("leaves to the core a function the profile does not settle, and whatever it cannot be sure of", () => {
    const cases: Array<[string, Record<string, string>]> = [
      ["not in the profile", { KOS_PROFILE: profile("other.json", { hot: [] }) }],
      ["no verdicts", { KOS_PROFILE: profile("plain.json", {}, false) }],
      ["verdicts of another model", { KOS_PROFILE: profile("model.json", { verdictModel: VERDICT_MODEL + 1 }) }],
      ["several profiles", { KOS_PROFILE: `${profile("a.json")},${profile("b.json")}` }],
      ["a profiling run", { KOS_PROFILE: profile("fb.json"), KOS_FEEDBACK_OUT: join(dir, "feedback.json") }],
      ["a fixed tier-up", { KOS_PROFILE: profile("hot.json"), KOS_HOT_CALLS: "5000" }],
    ];
    for (const [label, env] of cases) {
      const { out } = run(script(), env);
      expect(out.loadedAfterScale, label).toBe(true);
    }
    // Several profiles merge, and the merged profile settles it too, as the core decides.
    expect(run(script(), cases[3]![1]).out).toMatchObject({ tier: "fallback", reason: settled });
  });

  it("a profile the core cannot read: the core decides, and says why with the error's code", () => {
    const bad = join(dir, "bad.json");
    writeFileSync(bad, JSON.stringify({ ...JSON.parse(readFileSync(profile("bad-src.json"), "utf8")), version: 2 }));
    const { out } = run(script(), { KOS_PROFILE: bad });
    expect(out.loadedAfterScale).toBe(true);
    expect(out.tier).toBe(0);
    expect(JSON.stringify(out.history)).toMatch(/KOS_PROFILE_VERSION/);
    const missing = run(script(), { KOS_PROFILE: join(dir, "no-such.json") }).out;
    expect(missing.loadedAfterScale).toBe(true);
    expect(JSON.stringify(missing.history)).toMatch(/KOS_PROFILE_READ/);
  });

  it("options, and strict errors, are the core's", () => {
    const path = profile("opts.json");
    const { out } = run(`
      const f = jit(${scaleText}, { strict: true });
      let err = null;
      try { jit(async function a() {}, { strict: true }); } catch (e) { err = e.code; }
      console.log(JSON.stringify({ loaded: coreLoaded(), tier: inspect(f).tier, err }));`, { KOS_PROFILE: path });
    expect(out).toEqual({ loaded: true, tier: "fallback", err: "ASYNC_FUNCTION" });
  });
});

describe("a program under its own profile, with and without the verdicts", () => {
  let logs: string[] = [];
  beforeEach(() => {
    logs = [];
    vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
    vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void logs.push(a.join(" ")));
  });
  afterEach(() => vi.restoreAllMocks());

  it("shows the same (results, inspect, trace), and loads no core where every function settles", async () => {
    const program = join(repo, "test", "profiler", "programs", "settling-functions.mjs");
    const out = join(dir, "prof");
    expect(await main(["--out", out, "--", "node", program, "3000000"]), logs.join("\n")).toBe(0);
    const withVerdicts = join(out, "kos-profile.json");
    const recorded = JSON.parse(readFileSync(withVerdicts, "utf8")) as KosProfile;
    expect(recorded.verdictModel).toBe(VERDICT_MODEL);
    // Each of the four wrapped functions settles (its compile cannot pay over 6,000-20,000 calls).
    expect(recorded.hot.filter((e) => e.settle).map((e) => e.name).sort()).toEqual(["add", "label", "poly", "scaleBy"]);
    const { verdictModel: _m, ...stripped } = recorded;
    const withoutVerdicts = join(dir, "stripped.json");
    writeFileSync(withoutVerdicts, JSON.stringify({ ...stripped, hot: stripped.hot.map(({ settle: _s, ...e }) => e) }));

    const shortcut = run(program, { KOS_PROFILE: withVerdicts }, ["1000"]);
    const core = run(program, { KOS_PROFILE: withoutVerdicts }, ["1000"]);
    expect(shortcut.out.coreLoaded).toBe(false);
    expect(core.out.coreLoaded).toBe(true);
    expect(shortcut.out).toEqual({ ...core.out, coreLoaded: false });
    expect(shortcut.out.same).toEqual([true, true, true, true]);
    expect(shortcut.trace).toEqual(core.trace);
    expect(shortcut.trace).toHaveLength(4);

    // With a function the profile does not know, wrapped after the four: the core loads there and
    // decides it; the four show the same either way.
    const mixed = run(program, { KOS_PROFILE: withVerdicts, MIXED: "1" }, ["1000"]);
    const mixedCore = run(program, { KOS_PROFILE: withoutVerdicts, MIXED: "1" }, ["1000"]);
    expect(mixed.out.coreLoaded).toBe(true);
    const four = (o: Record<string, unknown>) => ({ s: o.s, same: o.same, inspect: (o.inspect as unknown[]).slice(0, 4) });
    expect(four(mixed.out)).toEqual(four(mixedCore.out));
    expect(mixed.trace.slice(0, 4)).toEqual(mixedCore.trace.slice(0, 4));
    expect((mixed.out.inspect as Array<{ history: Array<{ event: string }> }>)[4]!.history[0]!.event).toBe("tier0");
  }, 120_000);
});
