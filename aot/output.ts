/**
 * Where `kos build` may write, and how it writes there without losing
 * anything it did not write itself.
 *
 * - {@link checkOutputDir} refuses an output directory that is, or contains,
 *   the project root (and so the tsconfig) or a folder holding a source file:
 *   replacing such a folder deleted the project (issue 14, `--out .`).
 * - {@link writeOutput} writes the build. kos records every file it wrote in
 *   a marker, `.kos-build.json`, in the output directory. The directory is
 *   replaced wholesale (a temporary sibling renamed into place, so a reader
 *   never sees half a build) only when it does not exist yet, or when it
 *   holds nothing but files that marker says kos wrote. Otherwise kos writes
 *   its files into the directory one by one, removes only the files its
 *   previous marker lists that this build no longer produces, and leaves
 *   every other file where it was.
 */
import { existsSync, lstatSync, mkdirSync, readdirSync, readFileSync, realpathSync, renameSync, rmdirSync, rmSync, statSync, unlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";
import { BuildError } from "./errors.js";

/** Name of the marker file that lists what kos wrote into an output directory. */
export const MARKER_NAME = ".kos-build.json";

interface Marker {
  tool: "kos build";
  version: 1;
  /** Paths relative to the output directory, `/`-separated, sorted. */
  files: string[];
}

/** `path` with symlinks resolved as far as it exists (the output directory may not exist yet). */
function realish(path: string): string {
  let head = resolve(path);
  const tail: string[] = [];
  while (!existsSync(head)) {
    const up = dirname(head);
    if (up === head) break;
    tail.unshift(basename(head));
    head = up;
  }
  try {
    head = realpathSync(head);
  } catch {
    /* keep the resolved path */
  }
  return join(head, ...tail);
}

function isSameOrInside(inner: string, outer: string): boolean {
  return inner === outer || inner.startsWith(outer.endsWith(sep) ? outer : outer + sep);
}

/**
 * Throws `EBUILD_OUT_DIR` when `outDir` is, or contains, the project root,
 * the tsconfig or a folder holding one of the project's sources, or exists
 * and is not a directory. Called before anything is written.
 */
export function checkOutputDir(outDir: string, rootDir: string, tsconfigPath: string, sourceFiles: string[], show: (f: string) => string): void {
  const out = realish(outDir);
  const refuse = (what: string, path: string) => {
    const relation = out === realish(path) ? "is" : "contains";
    throw new BuildError("EBUILD_OUT_DIR", `refusing to write the output to ${show(outDir) || "."}: it ${relation} ${what}, and kos build never deletes or overwrites the project (pass --out a folder of its own, such as dist)`, { file: outDir, display: show(outDir) || "." });
  };
  if (isSameOrInside(realish(rootDir), out)) refuse("the project root", rootDir);
  if (isSameOrInside(realish(tsconfigPath), out)) refuse(`the tsconfig ${show(tsconfigPath)}`, tsconfigPath);
  for (const f of sourceFiles) {
    const folder = dirname(f);
    if (isSameOrInside(realish(folder), out)) refuse(`the source folder ${show(folder) || "."}`, folder);
  }
  if (existsSync(outDir) && !statSync(outDir).isDirectory()) {
    throw new BuildError("EBUILD_OUT_DIR", `the output path ${show(outDir)} exists and is not a directory`, { file: outDir, display: show(outDir) });
  }
}

/** The marker's file list, or null when the directory has no valid kos marker. */
function readMarker(outDir: string): string[] | null {
  try {
    const m = JSON.parse(readFileSync(join(outDir, MARKER_NAME), "utf8")) as Partial<Marker>;
    if (m.tool !== "kos build" || !Array.isArray(m.files) || !m.files.every((f) => typeof f === "string")) return null;
    return m.files;
  } catch {
    return null;
  }
}

/** Every entry under `dir` (files, symlinks, and directories that hold nothing), `/`-separated. */
function listTree(dir: string): { files: string[]; emptyDirs: string[] } {
  const files: string[] = [];
  const emptyDirs: string[] = [];
  const walk = (d: string) => {
    const names = readdirSync(d);
    if (names.length === 0 && d !== dir) emptyDirs.push(relative(dir, d).split(sep).join("/"));
    for (const n of names) {
      const p = join(d, n);
      if (lstatSync(p).isDirectory()) walk(p);
      else files.push(relative(dir, p).split(sep).join("/"));
    }
  };
  walk(dir);
  return { files, emptyDirs };
}

/**
 * Writes `files` (absolute path under `outDir` → text) and the marker. See
 * the file note for when the directory is replaced and when it is written into.
 */
export function writeOutput(outDir: string, files: Map<string, string>, show: (f: string) => string): void {
  const rel = [...files.keys()].map((p) => relative(outDir, p).split(sep).join("/")).sort();
  for (const r of rel) {
    if (r.startsWith("../") || r === ".." || r === MARKER_NAME) {
      throw new BuildError("EBUILD_OUTPUT", `internal error: output file ${r} is outside the output directory`, { file: outDir, display: show(outDir) });
    }
  }
  const marker = JSON.stringify({ tool: "kos build", version: 1, files: rel } satisfies Marker, null, 2) + "\n";
  try {
    if (!existsSync(outDir)) return replaceDir(outDir, files, marker);
    const previous = readMarker(outDir);
    if (previous !== null) {
      const owned = new Set([...previous, MARKER_NAME]);
      const tree = listTree(outDir);
      if (tree.emptyDirs.length === 0 && tree.files.every((f) => owned.has(f))) return replaceDir(outDir, files, marker);
    }
    writeInto(outDir, files, marker, previous ?? []);
  } catch (e) {
    if (e instanceof BuildError) throw e;
    throw new BuildError("EBUILD_OUTPUT", `cannot write the output: ${(e as Error).message}`, { file: outDir, display: show(outDir) }, { cause: e });
  }
}

/** Builds the whole output in a temporary sibling, then renames it into place. */
function replaceDir(outDir: string, files: Map<string, string>, marker: string): void {
  const tmp = `${outDir}.kos-tmp-${process.pid}`;
  const old = `${outDir}.kos-old-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  try {
    mkdirSync(tmp, { recursive: true });
    for (const [path, text] of files) {
      const target = join(tmp, relative(outDir, path));
      mkdirSync(dirname(target), { recursive: true });
      writeFileSync(target, text);
    }
    writeFileSync(join(tmp, MARKER_NAME), marker);
    mkdirSync(dirname(outDir), { recursive: true });
    if (existsSync(outDir)) renameSync(outDir, old);
    renameSync(tmp, outDir);
    // `old` holds only files the previous marker lists: kos wrote them all.
    rmSync(old, { recursive: true, force: true });
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    if (!existsSync(outDir) && existsSync(old)) renameSync(old, outDir);
    throw e;
  }
}

/**
 * Writes into a directory that holds files kos did not write: each file via a
 * temporary name and a rename (a reader sees the old or the new file, never
 * half of one), then removes the files only the previous build wrote.
 */
function writeInto(outDir: string, files: Map<string, string>, marker: string, previous: string[]): void {
  const tmpName = (p: string) => join(dirname(p), `.${basename(p)}.kos-tmp-${process.pid}`);
  // A folder inside the output may be a symlink to somewhere else (the sources, say):
  // kos neither writes nor deletes through one.
  // Checked for every file before the first is written.
  const realOut = realpathSync(outDir);
  const inside = (p: string) => isSameOrInside(realish(dirname(p)), realOut);
  for (const path of files.keys()) {
    if (!inside(path)) throw new BuildError("EBUILD_OUT_DIR", `refusing to write ${relative(outDir, path)}: its folder in the output directory links outside it`, { file: path });
  }
  for (const [path, text] of files) {
    mkdirSync(dirname(path), { recursive: true });
    const t = tmpName(path);
    writeFileSync(t, text);
    renameSync(t, path);
  }
  const now = new Set([...files.keys()].map((p) => relative(outDir, p).split(sep).join("/")));
  for (const r of previous) {
    if (now.has(r) || r.startsWith("../") || r.split("/").includes("..")) continue;
    const p = join(outDir, ...r.split("/"));
    if (!inside(p)) continue;
    try {
      if (lstatSync(p).isFile()) unlinkSync(p);
    } catch {
      continue; // already gone
    }
    // Folders the removed file leaves empty go too (rmdir fails on a folder that still holds anything).
    for (let d = dirname(p); d !== outDir && isSameOrInside(d, outDir); d = dirname(d)) {
      try {
        rmdirSync(d);
      } catch {
        break;
      }
    }
  }
  const m = join(outDir, MARKER_NAME);
  writeFileSync(tmpName(m), marker);
  renameSync(tmpName(m), m);
}
