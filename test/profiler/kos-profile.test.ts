// End to end: `kos profile` (its main(), as the dispatcher calls it) on the
// test programs. The first two tests run 0x (slow: it post-processes V8's
// tick log, ~10 s each on a quiet 2-core machine); the others take the
// --cpu-prof path (--workers, or a non-node command).
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { main, parseProfileArgs } from "../../cli/profile.js";
import { resolveCommand } from "../../profiler/flame.js";
import { loadProfile, readProfile } from "../../profiler/profile-file.js";

const program = (name: string) => fileURLToPath(new URL(`./programs/${name}`, import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "kos-profile-e2e-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let out: string[] = [];
let err: string[] = [];
beforeEach(() => {
  out = [];
  err = [];
  vi.spyOn(console, "log").mockImplementation((...a: unknown[]) => void out.push(a.join(" ")));
  vi.spyOn(console, "error").mockImplementation((...a: unknown[]) => void err.push(a.join(" ")));
});
afterEach(() => vi.restoreAllMocks());

describe("kos profile", () => {
  it("ranks the known hot function first under 0x, and writes kos-profile.json and flamegraph.html", async () => {
    const dir = join(scratch, "hot");
    const file = program("one-hot-function.js");
    const code = await main(["--out", dir, "--top", "5", "--", "node", file, "3000000"]);
    expect(code, err.join("\n")).toBe(0);

    const profile = readProfile(join(dir, "kos-profile.json"));
    expect(profile.source).toBe("0x");
    expect(profile.command).toEqual(["node", file, "3000000"]);
    expect(profile.totalSamples).toBeGreaterThan(0);
    const first = profile.hot[0]!;
    expect(first).toMatchObject({ name: "hotMixing", file, line: 5, column: 19 });
    expect(first.selfPercent).toBeGreaterThan(50);
    expect(profile.hot.filter((h) => h.name.startsWith("cold")).every((h) => h.selfSamples < first.selfSamples)).toBe(true);

    // The source hash is the hash of the function's exact text.
    const source = readFileSync(file, "utf8");
    const text = source.slice(source.indexOf("function hotMixing"), source.indexOf("\n}\n", source.indexOf("function hotMixing")) + 2);
    expect(first.sourceHash).toBe(createHash("sha256").update(text).digest("hex"));
    // ... so a live copy of it is found by loadProfile().lookup.
    const live = new Function(`return ${text}`)() as Function;
    expect(loadProfile(join(dir, "kos-profile.json")).lookup(live)?.name).toBe("hotMixing");

    expect(profile.flamegraph).toBe(join(dir, "flamegraph.html"));
    expect(readFileSync(profile.flamegraph!, "utf8")).toMatch(/<html/i);
    expect(existsSync(join(dir, "meta.json"))).toBe(true);

    const table = out.join("\n");
    const firstRow = table.split("\n").find((l) => /^\s*1\s/.test(l));
    expect(firstRow).toMatch(/hotMixing/);
    expect(table).toMatch(/flamegraph: .*flamegraph\.html/);
  }, 120_000);

  it("notices worker threads under 0x, re-runs with --cpu-prof, and merges kos's feedback dump", async () => {
    const dir = join(scratch, "auto-workers");
    const code = await main(["--out", dir, "--", program("worker-hot.js"), "1000000"]);
    expect(code, err.join("\n")).toBe(0);
    const profile = readProfile(join(dir, "kos-profile.json"));
    expect(profile.source).toBe("cpu-prof");
    expect(out.join("\n")).toMatch(/the program started worker threads/);
    // V8 inlines workerPolynomial into the worker's top-level loop; positionTicks give the samples back.
    expect(profile.hot[0]!.name).toBe("workerPolynomial");
    // The program plays kos's tiering and writes a feedback dump; it is merged by source hash.
    expect(profile.hot[0]!.calls).toBe(1_000_000);
    expect(profile.hot[0]!.stableArgs).toEqual([
      { index: 0, name: "x", stability: "type", type: "number" },
      { index: 1, name: "degree", stability: "constant", value: 40 },
    ]);
    expect(out.join("\n")).toMatch(/workerPolynomial .* 1000000 +x:number, degree=40/);
    // 0x's files from the first run are gone; the flamegraph is the --cpu-prof one.
    expect(existsSync(join(dir, "meta.json"))).toBe(false);
    expect(readFileSync(profile.flamegraph!, "utf8")).toContain("(worker thread 1)");
  }, 120_000);

  it("profiles node processes started by a non-node command, through a node shim on PATH", async () => {
    const dir = join(scratch, "shell");
    const code = await main(["--out", dir, "--", "sh", "-c", 'node "$0" 2000000', program("one-hot-function.js")]);
    expect(code, err.join("\n")).toBe(0);
    const profile = readProfile(join(dir, "kos-profile.json"));
    expect(profile.source).toBe("cpu-prof");
    expect(profile.hot[0]!.name).toBe("hotMixing");
  }, 60_000);

  it("reports a failing command with its exit code", async () => {
    const code = await main(["--workers", "--out", join(scratch, "fail"), "--", program("exits-with-3.js")]);
    expect(code).toBe(3);
    expect(err.join("\n")).toMatch(/KOS_PROFILE_COMMAND_FAILED.*exited with code 3/);
  }, 60_000);

  it("reports a command that cannot start", async () => {
    const code = await main(["--out", join(scratch, "nocmd"), "--", "kos-no-such-command-xyz"]);
    expect(code).toBe(1);
    expect(err.join("\n")).toMatch(/KOS_PROFILE_SPAWN/);
  }, 60_000);

  it("reports a run with no samples", async () => {
    // Not a node program and it starts none: nothing is sampled. (An idle node
    // script is not a deterministic case: a busy machine can still catch a
    // sample in its top-level code.)
    expect(await main(["--out", join(scratch, "sh"), "--", "sh", "-c", "true"])).toBe(1);
    expect(err.join("\n")).toMatch(/KOS_PROFILE_NO_SAMPLES.*no CPU samples/);
  }, 60_000);

  it("rejects bad arguments with usage and exit code 2", async () => {
    expect(await main([])).toBe(2);
    expect(await main(["--top", "zero", "--", "x.js"])).toBe(2);
    expect(await main(["--bogus", "--", "x.js"])).toBe(2);
    expect(err.join("\n")).toMatch(/usage: kos profile/);
  });
});

describe("argument and command resolution", () => {
  it("parses options, with or without --", () => {
    expect(parseProfileArgs(["--out", "d", "--top", "3", "--", "node", "a.js", "--x"])).toMatchObject({ outDir: "d", top: 3, command: ["node", "a.js", "--x"] });
    expect(parseProfileArgs(["app.js", "--top", "3"])).toMatchObject({ top: 15, command: ["app.js", "--top", "3"] });
  });

  it("treats `node app.js` and `app.js` alike, and other commands as programs", () => {
    expect(resolveCommand(["node", "--expose-gc", "a.js", "1"])).toEqual({ kind: "node", nodeArgs: ["--expose-gc", "a.js", "1"] });
    expect(resolveCommand([process.execPath, "a.js"])).toEqual({ kind: "node", nodeArgs: ["a.js"] });
    expect(resolveCommand(["a.mjs", "1"])).toEqual({ kind: "node", nodeArgs: ["a.mjs", "1"] });
    expect(resolveCommand(["npm", "run", "x"])).toEqual({ kind: "other", file: "npm", args: ["run", "x"] });
    expect(() => resolveCommand([])).toThrow(expect.objectContaining({ code: "KOS_PROFILE_USAGE" }));
  });
});
