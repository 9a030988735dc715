/**
 * jit() of a function that carries properties of its own makes the original the prototype of the
 * function it returns (compiler/tiering-entry.ts, inheritOwnProperties), and V8 turns an object
 * that becomes a prototype into a dictionary of slow properties. The library reads that function
 * itself at every call (humanize-duration copies its default options from it with a `for in`):
 * its own calls, and the version's, ran 3-6x slower from `jit()` on (docs/notes/small-versions-slower.md).
 * The original keeps fast properties: `%HasFastProperties`, in a child process with --allow-natives-syntax.
 */
import { describe, expect, it } from "vitest";
import { runWithNatives } from "./natives-child.js";

describe("an original with properties of its own", () => {
  it("keeps fast properties after jit(), explicit, tiered, dormant or bound", () => {
    const script = `import("kos").then(({ jit }) => {
      const make = () => { const f = function humanizer(ms, options) { return ms + (options ? options.k : 0) + humanizer.spacer.length; }; f.spacer = " "; f.language = "en"; f.units = ["y", "d"]; return f; };
      const explicit = make(), tiered = make(), plain = make(), bound = make().bind(null);
      bound.extra = 1;
      const e = jit(explicit, { specialize: { options: { k: 1 } } });
      const t = jit(tiered, { tiering: { hotCalls: 2 } });
      const p = jit(plain);
      const b = jit(bound);
      for (let i = 0; i < 5; i++) t(i);
      process.stdout.write(JSON.stringify({
        fast: [%HasFastProperties(explicit), %HasFastProperties(tiered), %HasFastProperties(plain), %HasFastProperties(bound)],
        reads: [e.spacer, t.language, p.units.length, b.extra],
        results: [e(1, { k: 1 }), t(2), p(3)],
      }));
    });`;
    const out = runWithNatives(script);
    expect(out.reads).toEqual([" ", "en", 2, 1]);
    expect(out.results).toEqual([3, 3, 4]);
    expect(out.fast).toEqual([true, true, true, true]);
  });
});
