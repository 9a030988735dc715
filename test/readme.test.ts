/**
 * Every code block of README.md runs verbatim, against the built package
 * (`import "kos"` resolves to this repository through a node_modules link in
 * a temporary folder, beside links to the repository's other packages), and
 * prints what the README shows.
 *
 * The markers, in a block's info string (documented at the end of README.md):
 * - `js`: runs as an ES module; `js cjs`: as CommonJS.
 * - `text output`: what the block before it must print, exactly.
 * - `generated-source`: an output that shows code kos generated. It is still
 *   compared exactly, since it must be what the current compiler produces;
 *   `KOS_README_UPDATE=1` rewrites such blocks from the current output.
 * - `no-run`: not run (shell commands, listings). Any other block fails the
 *   test, so a new block cannot be skipped silently.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const repo = resolve(__dirname, "..");
const readmePath = join(repo, "README.md");

export interface CodeBlock {
  /** Line of the opening fence (1-based). */
  line: number;
  info: string[];
  code: string;
  /** Character offsets of the code inside README.md (for KOS_README_UPDATE). */
  start: number;
  end: number;
}

/** The fenced blocks of a Markdown text, in order. */
export function codeBlocks(markdown: string): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const fence = /^```([^\n]*)\n([\s\S]*?)^```[ \t]*$/gm;
  for (const m of markdown.matchAll(fence)) {
    const start = m.index! + 3 + m[1]!.length + 1;
    blocks.push({
      line: markdown.slice(0, m.index).split("\n").length,
      info: m[1]!.trim().split(/\s+/).filter(Boolean),
      code: m[2]!,
      start,
      end: start + m[2]!.length,
    });
  }
  return blocks;
}

interface Example {
  block: CodeBlock;
  output?: CodeBlock;
}

function examples(blocks: CodeBlock[]): Example[] {
  const out: Example[] = [];
  blocks.forEach((block, i) => {
    const [lang] = block.info;
    if (block.info.includes("no-run") || block.info.includes("output")) return;
    if (lang !== "js") throw new Error(`README.md:${block.line}: a \`${block.info.join(" ") || "(no info)"}\` block must be \`js\`, or marked no-run`);
    const next = blocks[i + 1];
    out.push(next?.info.includes("output") ? { block, output: next } : { block });
  });
  return out;
}

let tmp = "";
beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), "kos-readme-"));
  mkdirSync(join(tmp, "node_modules"));
  symlinkSync(repo, join(tmp, "node_modules", "kos"), "dir");
  // The examples may import kos's optional peers (prom-client): the repository's copies.
  for (const name of readdirSync(join(repo, "node_modules"))) {
    if (!name.startsWith(".")) symlinkSync(join(repo, "node_modules", name), join(tmp, "node_modules", name), "dir");
  }
});
afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function runBlock(block: CodeBlock, index: number) {
  const file = join(tmp, `block-${index}.${block.info.includes("cjs") ? "cjs" : "mjs"}`);
  writeFileSync(file, block.code);
  const r = spawnSync(process.execPath, [file], { cwd: tmp, encoding: "utf8", timeout: 60_000, env: { ...process.env, KOS_JIT: "" } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const readme = readFileSync(readmePath, "utf8");
const all = examples(codeBlocks(readme));
const updates: Array<{ start: number; end: number; text: string }> = [];

describe("README.md", () => {
  it("has runnable examples, each either printing nothing checked or followed by its output", () => {
    expect(all.length).toBeGreaterThanOrEqual(4);
    expect(all.filter((e) => e.output).length).toBeGreaterThanOrEqual(4);
  });

  it.each(all.map((e, i) => [`README.md:${e.block.line}`, e, i] as const))("%s runs and prints what the README shows", (_where, example, index) => {
    const r = runBlock(example.block, index);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toBe("");
    if (!example.output) return;
    if (example.output.info.includes("generated-source") && process.env.KOS_README_UPDATE === "1") {
      updates.push({ start: example.output.start, end: example.output.end, text: r.stdout });
      return;
    }
    expect(r.stdout, `the output block at README.md:${example.output.line}`).toBe(example.output.code);
  });

  it("the block parser sees every fence and refuses an unmarked block", () => {
    const md = "a\n```js\nx\n```\n```text output\ny\n```\n```sh no-run\nz\n```\n";
    const blocks = codeBlocks(md);
    expect(blocks.map((b) => [b.info.join(" "), b.code])).toEqual([["js", "x\n"], ["text output", "y\n"], ["sh no-run", "z\n"]]);
    expect(examples(blocks)).toHaveLength(1);
    expect(() => examples(codeBlocks("```sh\nls\n```\n"))).toThrow(/must be `js`, or marked no-run/);
  });
});

afterAll(() => {
  if (updates.length === 0) return;
  let text = readFileSync(readmePath, "utf8");
  // From the end, so earlier offsets stay valid.
  for (const u of updates.sort((a, b) => b.start - a.start)) text = text.slice(0, u.start) + u.text + text.slice(u.end);
  writeFileSync(readmePath, text);
});
