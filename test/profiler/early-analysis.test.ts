// The analysis `kos profile` starts when the main thread's profile is on disk, before the command's
// exit event (profiler/early-analysis.ts): used only if the command left exactly the files it read.
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { EarlyAnalysis, profilesIn } from "../../profiler/early-analysis.js";

const PID = 4242;
const mainProfile = `CPU.20261207.104600.${PID}.0.001.cpuprofile`;
const workerProfile = `CPU.20261207.104600.${PID}.1.002.cpuprofile`;

let dir: string;
let feedback: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "kos-early-"));
  feedback = join(dir, "..", `${dir.split("/").pop()}-feedback.json`);
});
afterEach(() => {
  rmSync(dir, { recursive: true, force: true });
  rmSync(feedback, { force: true });
});

/** An analysis that reads every profile as JSON (throwing on a half-written one), and counts its calls. */
function counting() {
  const calls: string[][] = [];
  const parsed: unknown[] = [];
  const prepare = async (paths: string[]) => {
    calls.push(paths);
    const all = paths.map((p) => JSON.parse(readFileSync(p, "utf8")) as { n: number });
    parsed.push(all);
    return all;
  };
  return { calls, parsed, prepare };
}

async function until(test: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe("EarlyAnalysis", () => {
  it("hands over what it drew from the main thread's profile when the command left just those files", async () => {
    writeFileSync(feedback, '{"version":1}');
    const { calls, prepare } = counting();
    const early = new EarlyAnalysis(dir, [feedback], prepare);
    early.watchFor(PID);
    writeFileSync(join(dir, mainProfile), '{"n":1}');
    await until(() => calls.length > 0);
    expect(await early.take(profilesIn(dir))).toEqual([{ n: 1 }]);
  });

  it("a profile that is only half written is tried again at its next write", async () => {
    const { calls, parsed, prepare } = counting();
    const early = new EarlyAnalysis(dir, [feedback], prepare);
    early.watchFor(PID);
    writeFileSync(join(dir, mainProfile), '{"n":');
    await until(() => calls.length > 0);
    expect(parsed).toEqual([]);
    appendFileSync(join(dir, mainProfile), "2}");
    await until(() => parsed.length > 0);
    // No feedback dump, before or after: that is the same input too.
    expect(await early.take(profilesIn(dir))).toEqual([{ n: 2 }]);
  });

  it("gives nothing when the command left another profile after it (a worker's), or changed the feedback dump", async () => {
    const { calls, prepare } = counting();
    const later = new EarlyAnalysis(dir, [feedback], prepare);
    later.watchFor(PID);
    writeFileSync(join(dir, mainProfile), '{"n":1}');
    await until(() => calls.length > 0);
    writeFileSync(join(dir, workerProfile), '{"n":3}');
    expect(await later.take(profilesIn(dir))).toBeNull();

    rmSync(join(dir, workerProfile));
    rmSync(join(dir, mainProfile));
    const second = counting();
    const changed = new EarlyAnalysis(dir, [feedback], second.prepare);
    changed.watchFor(PID);
    writeFileSync(join(dir, mainProfile), '{"n":1}');
    await until(() => second.calls.length > 0);
    writeFileSync(feedback, '{"version":1,"functions":[]}');
    expect(await changed.take(profilesIn(dir))).toBeNull();
  });

  it("waits for the main thread of its own process only, and stops watching at take", async () => {
    const { calls, prepare } = counting();
    const early = new EarlyAnalysis(dir, [feedback], prepare);
    early.watchFor(PID);
    writeFileSync(join(dir, workerProfile), '{"n":3}');
    writeFileSync(join(dir, `CPU.20261207.104600.${PID + 1}.0.001.cpuprofile`), '{"n":4}');
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([]);
    expect(await early.take(profilesIn(dir))).toBeNull();
    writeFileSync(join(dir, mainProfile), '{"n":1}');
    await new Promise((r) => setTimeout(r, 100));
    expect(calls).toEqual([]);
  });
});
