/**
 * kos build never deletes what it did not write (issue 14: `--out .` deleted
 * the project, `--out src` the sources, `--out dist` every foreign file in
 * dist), and fails on type errors the way tsc does.
 */
import { describe, it, expect, afterAll } from "vitest";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { kosBuild } from "../../aot/build.js";
import { MARKER_NAME } from "../../aot/output.js";
import { main } from "../../cli/build.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const roots: string[] = [];
afterAll(() => { for (const r of roots) rmSync(r, { recursive: true, force: true }); });

function makeProject(files: Record<string, string>, compilerOptions: object = {}): string {
  const root = mkdtempSync(join(tmpdir(), "kos-aot-safe-"));
  roots.push(root);
  writeFileSync(join(root, "tsconfig.json"), JSON.stringify({ compilerOptions: { target: "ES2022", module: "ES2022", moduleResolution: "Bundler", strict: true, rootDir: "src", outDir: "dist", types: [], ...compilerOptions }, include: ["src"] }));
  writeFileSync(join(root, "package.json"), JSON.stringify({ type: "module" }));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, "src", name)), { recursive: true });
    writeFileSync(join(root, "src", name), text);
  }
  return root;
}

/** Every file under `dir` with its bytes: the project before and after must be equal. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const f of readdirSync(d)) {
      const p = join(d, f);
      if (statSync(p).isDirectory()) walk(p);
      else out[relative(dir, p)] = readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

async function failure(p: Promise<unknown>): Promise<{ code: string; message: string; diagnostics?: unknown[]; report?: unknown }> {
  try {
    await p;
  } catch (e) {
    return e as never;
  }
  throw new Error("expected the build to fail");
}

/** Runs the CLI's `build` in-process, capturing what it prints (through console or the process streams). */
async function cli(argv: string[]): Promise<{ code: number; err: string; out: string }> {
  const err: string[] = [];
  const out: string[] = [];
  const [e, l, we, wo] = [console.error, console.log, process.stderr.write, process.stdout.write];
  console.error = (m: string) => void err.push(String(m));
  console.log = (m: string) => void out.push(String(m));
  process.stderr.write = ((m: string | Uint8Array) => err.push(String(m)) > 0) as typeof process.stderr.write;
  process.stdout.write = ((m: string | Uint8Array) => out.push(String(m)) > 0) as typeof process.stdout.write;
  try {
    return { code: await main(argv), err: err.join("\n"), out: out.join("\n") };
  } finally {
    [console.error, console.log, process.stderr.write, process.stdout.write] = [e, l, we, wo];
  }
}

const SOURCES = { "a.ts": "/** @kos.jit */\nexport const double = (x: number) => x * 2;\n", "lib/b.ts": "export const b = 1;\n" };

describe("kos build refuses an output directory that holds the project", () => {
  it("--out . (the project root): refused with EBUILD_OUT_DIR, exit 1, and not one file changed", async () => {
    const root = makeProject(SOURCES);
    const before = snapshot(root);
    const e = await failure(kosBuild({ project: root, out: root }));
    expect(e.code).toBe("EBUILD_OUT_DIR");
    expect(e.message).toMatch(/refusing to write the output to \.: it is the project root/);
    const r = await cli(["--project", root, "--out", root]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^kos build: \[EBUILD_OUT_DIR\]/);
    expect(snapshot(root)).toEqual(before);
    expect(readdirSync(dirname(root)).filter((f) => f.startsWith(`${root.split("/").at(-1)}.kos-`))).toEqual([]);
  });

  it("--out src, --out src/lib (source folders) and --out of the folder above the project: refused, nothing changed", async () => {
    const root = makeProject(SOURCES);
    const before = snapshot(root);
    for (const [out, what] of [[join(root, "src"), /it is the source folder src/], [join(root, "src", "lib"), /it is the source folder src\/lib/], [dirname(root), /it contains the project root/]] as const) {
      const e = await failure(kosBuild({ project: root, out }));
      expect(e.code, out).toBe("EBUILD_OUT_DIR");
      expect(e.message, out).toMatch(what);
    }
    expect(snapshot(root)).toEqual(before);
  });

  it("an --out reached through a symlink to the project is refused too", async () => {
    const root = makeProject(SOURCES);
    const link = join(mkdtempSync(join(tmpdir(), "kos-aot-safe-")), "link");
    roots.push(dirname(link));
    symlinkSync(join(root, "src"), link);
    const before = snapshot(root);
    expect((await failure(kosBuild({ project: root, out: link }))).code).toBe("EBUILD_OUT_DIR");
    expect(snapshot(root)).toEqual(before);
  });

  it("an --out that is a file is refused", async () => {
    const root = makeProject(SOURCES);
    writeFileSync(join(root, "notes.txt"), "mine");
    const e = await failure(kosBuild({ project: root, out: join(root, "notes.txt") }));
    expect(e.code).toBe("EBUILD_OUT_DIR");
    expect(readFileSync(join(root, "notes.txt"), "utf8")).toBe("mine");
  });
});

describe("kos build replaces only a folder it made", () => {
  it("--out dist with foreign files: writes into it and keeps every foreign file, also on a rebuild", async () => {
    const root = makeProject(SOURCES);
    const dist = join(root, "dist");
    mkdirSync(join(dist, "assets"), { recursive: true });
    writeFileSync(join(dist, "index.html"), "<html>mine</html>");
    writeFileSync(join(dist, "assets", "logo.svg"), "<svg/>");
    mkdirSync(join(dist, "empty-but-mine"));
    await kosBuild({ project: root, out: dist });
    expect(readFileSync(join(dist, "index.html"), "utf8")).toBe("<html>mine</html>");
    expect(readFileSync(join(dist, "assets", "logo.svg"), "utf8")).toBe("<svg/>");
    expect(existsSync(join(dist, "empty-but-mine"))).toBe(true);
    expect(existsSync(join(dist, "a.js"))).toBe(true);
    expect(existsSync(join(dist, "lib", "b.js"))).toBe(true);
    const marker = JSON.parse(readFileSync(join(dist, MARKER_NAME), "utf8"));
    expect(marker.files).toEqual(["a.js", "kos-build-report.json", "lib/b.js"]);

    // A rebuild after a source file is removed: the stale output kos wrote goes, foreign files stay.
    rmSync(join(root, "src", "lib"), { recursive: true });
    await kosBuild({ project: root, out: dist });
    expect(existsSync(join(dist, "lib"))).toBe(false);
    expect(readFileSync(join(dist, "index.html"), "utf8")).toBe("<html>mine</html>");
    expect(readFileSync(join(dist, "assets", "logo.svg"), "utf8")).toBe("<svg/>");
    expect(readdirSync(root).filter((f) => f.includes(".kos-"))).toEqual([]);
    expect(readdirSync(dist).filter((f) => f.includes(".kos-tmp"))).toEqual([]);
  });

  it("a folder kos made is replaced whole; a file added to it later makes kos write into it instead", async () => {
    const root = makeProject(SOURCES);
    const dist = join(root, "dist");
    await kosBuild({ project: root, out: dist });
    expect(snapshot(dist)["lib/b.js"]).toBeDefined();
    rmSync(join(root, "src", "lib"), { recursive: true });
    await kosBuild({ project: root, out: dist });
    expect(Object.keys(snapshot(dist)).sort()).toEqual([MARKER_NAME, "a.js", "kos-build-report.json"]);

    writeFileSync(join(dist, "README.txt"), "added by hand");
    writeFileSync(join(root, "src", "c.ts"), "export const c = 3;\n");
    await kosBuild({ project: root, out: dist });
    expect(readFileSync(join(dist, "README.txt"), "utf8")).toBe("added by hand");
    expect(existsSync(join(dist, "c.js"))).toBe(true);
  });

  it("never writes or deletes through a symlinked folder inside the output", async () => {
    const root = makeProject(SOURCES);
    const dist = join(root, "dist");
    const elsewhere = mkdtempSync(join(tmpdir(), "kos-aot-safe-"));
    roots.push(elsewhere);
    writeFileSync(join(elsewhere, "b.js"), "// not kos's");
    mkdirSync(dist);
    writeFileSync(join(dist, "keep.txt"), "x");
    symlinkSync(elsewhere, join(dist, "lib"));
    const e = await failure(kosBuild({ project: root, out: dist }));
    expect(e.code).toBe("EBUILD_OUT_DIR");
    expect(readFileSync(join(elsewhere, "b.js"), "utf8")).toBe("// not kos's");
    expect(existsSync(join(dist, "a.js"))).toBe(false); // checked before the first write
  });

  it("a marker that is not kos's does not make a folder kos's", async () => {
    const root = makeProject(SOURCES);
    const dist = join(root, "dist");
    mkdirSync(dist);
    writeFileSync(join(dist, MARKER_NAME), "{ not json");
    writeFileSync(join(dist, "keep.txt"), "x");
    await kosBuild({ project: root, out: dist });
    expect(readFileSync(join(dist, "keep.txt"), "utf8")).toBe("x");
  });
});

describe("kos build and TypeScript errors", () => {
  const BAD = { "a.ts": "export const n: number = \"x\";\nexport function f(s: string) { return s * 2; }\n" };

  it("reports tsc's diagnostics (file:line:col - error TSxxxx), writes tsc's unoptimized output, and fails", async () => {
    const root = makeProject(BAD);
    const e = await failure(kosBuild({ project: root }));
    expect(e.code).toBe("EBUILD_TYPE");
    expect(e.message).toMatch(/src\/a\.ts:1:14 - error TS2322: Type 'string' is not assignable to type 'number'\./);
    expect(e.message).toMatch(/src\/a\.ts:2:39 - error TS2362: /);
    expect(e.message).toMatch(/Found 2 errors in the same file, starting at: .*src\/a\.ts:1/);
    expect(e.diagnostics).toHaveLength(2);
    // As tsc does without noEmitOnError: the JS is written.
    expect(existsSync(join(root, "dist", "a.js"))).toBe(true);
    expect(JSON.parse(readFileSync(join(root, "dist", "kos-build-report.json"), "utf8")).typeErrors).toBe(2);

    // The same errors, at the same places, as tsc itself reports (tsc exits nonzero too).
    const tsc = spawnSync(process.execPath, [join(repoRoot, "node_modules/typescript/bin/tsc"), "-p", root, "--noEmit", "--pretty", "false"], { encoding: "utf8" });
    expect(tsc.status).not.toBe(0);
    const theirs = [...tsc.stdout.matchAll(/a\.ts\((\d+),(\d+)\): error TS(\d+)/g)].map((m) => `${m[1]}:${m[2]} TS${m[3]}`);
    const ours = (e.diagnostics as Array<{ line: number; column: number; code: number }>).map((d) => `${d.line}:${d.column} TS${d.code}`);
    expect(ours).toEqual(theirs);
  });

  it("with noEmitOnError nothing is written; the CLI prints the diagnostics and exits nonzero", async () => {
    const root = makeProject(BAD, { noEmitOnError: true });
    const e = await failure(kosBuild({ project: root }));
    expect(e.code).toBe("EBUILD_TYPE");
    expect(e.report).toBeNull();
    expect(existsSync(join(root, "dist"))).toBe(false);
    const r = await cli(["--project", root]);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(/\[EBUILD_TYPE\][^]*src\/a\.ts:1:14 - error TS2322: /);
    expect(existsSync(join(root, "dist"))).toBe(false);
  });

  it("a project without type errors still builds, exit 0", async () => {
    const root = makeProject(SOURCES);
    const r = await cli(["--project", root, "--quiet"]);
    expect(r.code, r.err).toBe(0);
    expect(existsSync(join(root, "dist", "a.js"))).toBe(true);
  });
});
