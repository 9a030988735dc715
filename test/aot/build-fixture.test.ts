/**
 * kos build end to end on fixtures/aot-project/project: annotations, a jit()
 * call site, a profile; the project's own tests on the output (also with
 * code generation from strings disallowed); byte-identical rebuilds; and
 * output that leaves tsc's .d.ts and source maps valid.
 */
import { describe, it, expect, beforeAll, afterAll } from "vitest";
import { execFileSync, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { kosBuild } from "../../aot/build.js";
import type { BuildReport } from "../../aot/report.js";
import { MARKER_NAME } from "../../aot/output.js";

const project = fileURLToPath(new URL("../../fixtures/aot-project/project/", import.meta.url));
const tag = `out-test-${process.pid}`;
const dirs = { plain: join(project, `${tag}-plain`), kos: join(project, `${tag}-kos`), prof: join(project, `${tag}-prof`), prof2: join(project, `${tag}-prof2`) };
const profilePath = join(project, `${tag}-profile.json`);
let plainReport: BuildReport;
let profReport: BuildReport;

function files(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => { for (const f of readdirSync(d)) { const p = join(d, f); statSync(p).isDirectory() ? walk(p) : out.push(relative(dir, p)); } };
  walk(dir);
  return out.sort();
}

function runProjectTests(dir: string, extra: string[] = []): { ok: boolean; out: string } {
  const r = spawnSync(process.execPath, [...extra, "--test", join(dir, "test")], { encoding: "utf8", cwd: project });
  return { ok: r.status === 0, out: r.stdout + r.stderr };
}

beforeAll(async () => {
  execFileSync(process.execPath, [join(project, "../../../node_modules/typescript/bin/tsc"), "-p", project, "--outDir", dirs.plain], { stdio: "pipe" });
  // A profile as `kos profile` writes it: smooth is hot, matched by the hash of its compiled source.
  const filter = await import(pathToFileURL(join(dirs.plain, "src/filter.js")).href);
  const hash = createHash("sha256").update(Function.prototype.toString.call(filter.smooth)).digest("hex");
  writeFileSync(profilePath, JSON.stringify({
    version: 1, command: ["node", "dist/bench/workload.js"], date: "2026-01-01T00:00:00.000Z", durationMs: 1000, totalSamples: 100, source: "0x", flamegraph: null,
    hot: [
      { name: "smooth", file: join(dirs.plain, "src/filter.js"), line: 11, column: 23, selfPercent: 30, totalPercent: 40, selfSamples: 30, totalSamples: 40, sourceHash: hash },
      { name: "processTicksAndRejections", file: "node:internal/process/task_queues", line: 1, column: 1, selfPercent: 5, totalPercent: 5, selfSamples: 5, totalSamples: 5 },
    ],
  }));
  plainReport = await kosBuild({ project, out: dirs.kos });
  profReport = await kosBuild({ project, out: dirs.prof, profile: profilePath });
}, 240_000);

afterAll(() => {
  for (const d of Object.values(dirs)) rmSync(d, { recursive: true, force: true });
  rmSync(profilePath, { force: true });
});

describe("kos build on the sample project", () => {
  it("optimizes annotated functions and the jit() call site, with the assumptions in the report", () => {
    const byName = (r: BuildReport, n: string, origin?: string) => r.functions.find((f) => f.name === n && (!origin || f.origins.includes(origin as never)));
    const matmul = byName(plainReport, "matmul")!;
    expect(matmul.status, matmul.reason ?? "").toBe("optimized");
    expect(matmul.specialized).toEqual(["n = 4"]);
    expect(matmul.trustedTypes).toEqual(["a", "b", "out"]);
    expect(matmul.assumptions.some((a) => a.param === "n")).toBe(true);
    expect(byName(plainReport, "response")!.status).toBe("optimized");
    const site = byName(plainReport, "serialize", "jit-call")!;
    expect(site.status, site.reason ?? "").toBe("optimized");
    expect(site.frozen).toContain("USER_SCHEMA");
    expect(byName(plainReport, "smooth")).toBeUndefined();
    // The walker's recursion into arrays is a function of its own in the output, calling itself.
    const walker = byName(plainReport, "matches", "jit-call")!;
    expect(walker.status, walker.reason ?? "").toBe("optimized");
    const out = readFileSync(join(dirs.kos, "src/walk.js"), "utf8");
    const version = /function (walk_\w+)\(/.exec(out);
    expect(version).not.toBeNull();
    expect(out.split(`${version![1]}(`).length).toBeGreaterThan(2);
    expect(JSON.parse(readFileSync(join(dirs.kos, "kos-build-report.json"), "utf8"))).toEqual(plainReport);
  });

  it("applies the profile: hot functions are optimized too, with module constants folded", () => {
    const smooth = profReport.functions.find((f) => f.name === "smooth")!;
    expect(smooth.origins).toEqual(["profile"]);
    expect(smooth.status, smooth.reason ?? "").toBe("optimized");
    expect(smooth.selfPercent).toBe(30);
    expect(profReport.profileUnmatched.map((u) => u.name)).toEqual(["processTicksAndRejections"]);
    const js = readFileSync(join(dirs.prof, "src/filter.js"), "utf8");
    expect(js).toContain("$kos_deepFreeze(KERNEL)");
    expect(js).toContain("smooth$kos = (function");
  });

  it("the project's own tests pass on the output, also with code generation from strings disallowed", () => {
    for (const dir of [dirs.plain, dirs.kos, dirs.prof]) {
      const r = runProjectTests(dir);
      expect(r.ok, r.out).toBe(true);
      expect(r.out).toMatch(/# pass 6/);
    }
    const csp = runProjectTests(dirs.prof, ["--disallow-code-generation-from-strings"]);
    expect(csp.ok, csp.out).toBe(true);
  });

  it("the output has no new Function or eval", () => {
    for (const dir of [dirs.kos, dirs.prof]) {
      for (const f of files(dir).filter((f) => f.endsWith(".js"))) {
        const js = readFileSync(join(dir, f), "utf8");
        expect(js, f).not.toMatch(/\bnew Function\b|\beval\s*\(|\bFunction\s*\(/);
      }
    }
  });

  it("keeps tsc's .d.ts byte for byte and every original line where it was (source maps stay valid)", () => {
    const plain = files(dirs.plain);
    expect(files(dirs.kos).filter((f) => f !== "kos-build-report.json" && f !== MARKER_NAME)).toEqual(plain);
    let optimizedModules = 0;
    for (const f of plain) {
      const a = readFileSync(join(dirs.plain, f), "utf8");
      const b = readFileSync(join(dirs.prof, f), "utf8");
      if (f.endsWith(".d.ts") || f.endsWith(".d.ts.map")) { expect(b, f).toBe(a); continue; }
      if (!f.endsWith(".js")) continue;
      if (a === b) continue;
      optimizedModules++;
      const la = a.split("\n"), lb = b.split("\n");
      // every line tsc wrote keeps its length (edits are same-length), the trailer is appended, the map link stays last
      const body = la.slice(0, -1);
      expect(lb.slice(0, body.length).map((l) => l.length), f).toEqual(body.map((l) => l.length));
      expect(lb.at(-1), f).toBe(la.at(-1));
      expect(la.at(-1)).toMatch(/^\/\/# sourceMappingURL=/);
    }
    expect(optimizedModules).toBeGreaterThanOrEqual(4);
  });

  it("is deterministic: the same input and profile give byte-identical output", async () => {
    await kosBuild({ project, out: dirs.prof2, profile: profilePath });
    const a = files(dirs.prof), b = files(dirs.prof2);
    expect(b).toEqual(a);
    for (const f of a) expect(readFileSync(join(dirs.prof2, f), "utf8"), f).toBe(readFileSync(join(dirs.prof, f), "utf8"));
  }, 120_000);

  it("refuses a profile recorded from another version of the source, naming file:line, and writes nothing", async () => {
    const stale = JSON.parse(readFileSync(profilePath, "utf8"));
    stale.hot[0].sourceHash = "0".repeat(64);
    const stalePath = join(project, `${tag}-stale.json`);
    writeFileSync(stalePath, JSON.stringify(stale));
    const before = readFileSync(join(dirs.kos, "src/filter.js"), "utf8");
    try {
      await expect(kosBuild({ project, out: dirs.kos, profile: stalePath })).rejects.toMatchObject({
        code: "EBUILD_PROFILE_STALE", message: expect.stringMatching(/^src\/filter\.ts:13:1: .*different version of `smooth`/),
      });
    } finally {
      rmSync(stalePath, { force: true });
    }
    expect(readFileSync(join(dirs.kos, "src/filter.js"), "utf8")).toBe(before);
    expect(readdirSync(project).filter((d) => d.includes(".kos-tmp-") || d.includes(".kos-probe-"))).toEqual([]);
    expect(existsSync(dirs.kos)).toBe(true);
  });
});
