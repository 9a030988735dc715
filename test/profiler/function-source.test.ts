import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { parseCpuProfile } from "../../profiler/cpuprofile.js";
import { functionTextAt, lineStarts, offsetOf, scriptFunctions, functionAt } from "../../profiler/function-source.js";
import { profileCall } from "../../profiler/sampling.js";

const program = fileURLToPath(new URL("./programs/function-shapes.js", import.meta.url));
const scratch = mkdtempSync(join(tmpdir(), "kos-fsrc-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("function positions reported by V8", () => {
  it("node --cpu-prof: the text at each reported position is the function's toString()", () => {
    const stdout = execFileSync(process.execPath, ["--cpu-prof", `--cpu-prof-dir=${scratch}`, program], { encoding: "utf8" });
    const live = JSON.parse(stdout) as Record<string, string>;
    const file = readdirSync(scratch).find((n) => n.endsWith(".cpuprofile"))!;
    const profile = parseCpuProfile(readFileSync(join(scratch, file), "utf8"));
    const source = readFileSync(program, "utf8");
    const seen = new Set<string>();
    for (const n of profile.nodes) {
      const { functionName, url, lineNumber, columnNumber } = n.callFrame;
      if (!url.endsWith("function-shapes.js") || !(functionName in live)) continue;
      expect(functionTextAt(source, lineNumber, columnNumber), functionName).toBe(live[functionName]);
      // ... and the position function-source computes for it is the one V8 reported.
      const script = scriptFunctions(source)!;
      expect(functionAt(script, lineNumber, columnNumber)!.position, functionName).toBe(offsetOf(script.starts, lineNumber, columnNumber));
      // Names match V8's, so attributed inlined frames merge with sampled ones.
      expect(functionAt(script, lineNumber, columnNumber)!.name).toBe(functionName);
      seen.add(functionName);
    }
    // Every shape (declaration, expression, arrows, async arrow, constructor,
    // method, static method, getter, object methods, generator) was checked.
    expect([...seen].sort()).toEqual(Object.keys(live).sort());
  });

  it("in-process sampling of new Function code with a sourceURL: same positions", async () => {
    const body = [
      "function spin(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sqrt(i); return s; }",
      "const obj = { async  am(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.sin(i); return s; } };",
      "return { spin, am: obj.am };",
      "//# sourceURL=kos://shapes.js",
    ].join("\n");
    const outer = new Function(body);
    const fns = outer() as { spin: (n: number) => number; am: (n: number) => Promise<number> };
    // A megamorphic call site (6 targets) keeps V8 from inlining spin and am into the loop.
    const fillers = [1, 2, 3, 4].map((k) => (n: number) => n + k);
    const targets: ((n: number) => unknown)[] = [fns.spin, fns.am, ...fillers];
    const { profile } = await profileCall(async () => {
      const t0 = Date.now();
      while (Date.now() - t0 < 400) for (const f of targets) await f(2000);
    }, { intervalUs: 200 });
    // V8 compiles `new Function` code as the text of the outer function.
    const script = outer.toString();
    const found = new Map<string, string | undefined>();
    for (const n of profile.nodes) {
      const c = n.callFrame;
      if (c.url === "kos://shapes.js" && (c.functionName === "spin" || c.functionName === "am")) {
        found.set(c.functionName, functionTextAt(script, c.lineNumber, c.columnNumber));
      }
    }
    expect(found.get("spin")).toBe(fns.spin.toString());
    expect(found.get("am")).toBe(fns.am.toString());
  });
});

describe("function-source helpers", () => {
  it("counts CRLF, CR and LF as one line break each, as V8 does", () => {
    const starts = lineStarts("a\r\nb\rc\nd");
    expect(starts).toEqual([0, 3, 5, 7]);
    expect(offsetOf(starts, 3, 0)).toBe(7);
    expect(offsetOf(starts, 4, 0)).toBeUndefined();
  });

  it("picks the innermost function for a position in a default parameter", () => {
    const src = "function outer(a = (x) => x + 1) { return a(1); }";
    const script = scriptFunctions(src)!;
    expect(functionAt(script, 0, 14)?.name).toBe("outer");
    const arrowParen = src.indexOf("(x)");
    expect(src.slice(functionAt(script, 0, arrowParen)!.textStart, functionAt(script, 0, arrowParen)!.textEnd)).toBe("(x) => x + 1");
  });

  it("returns undefined for source acorn cannot parse, or a position in no function head", () => {
    expect(functionTextAt("function (", 0, 9)).toBeUndefined();
    expect(functionTextAt("const x = 1;", 0, 3)).toBeUndefined();
  });

  it("keeps a hashbang script parseable", () => {
    expect(functionTextAt("#!/usr/bin/env node\nfunction f(a) { return a; }", 1, 10)).toBe("function f(a) { return a; }");
  });
});
