/**
 * An explicit jit() of a function with optional parameters its callers leave
 * out (mustache's `render(template, view, partials, config)`): the first
 * version requires every parameter its code decides on; calls that pass fewer
 * get a second version with the missing ones undefined. Every call, of any
 * arity, gives what the original gives.
 */
import { describe, expect, it } from "vitest";
import { createRequire } from "node:module";
import { inspect, jit } from "../../index.js";

const require = createRequire(import.meta.url);
const Mustache: { render(template: string, view: unknown, partials?: unknown, config?: unknown): string } = require("mustache");

interface Options { upper?: boolean; prefix?: string; sep?: string }

/** A small template filler whose options are read at every step (as template engines do). */
function fill(template: string[], view: Record<string, unknown>, options?: Options, partials?: Record<string, string>): string {
  let out = options && options.prefix !== undefined ? options.prefix : "";
  for (let i = 0; i < template.length; i++) {
    const part = template[i]!;
    let text: string;
    if (part[0] === ">") text = partials ? String(partials[part.slice(1)] ?? "") : "";
    else if (part[0] === "$") text = String(view[part.slice(1)]);
    else text = part;
    if (options && options.upper) text = text.toUpperCase();
    out += i > 0 && options && options.sep ? options.sep + text : text;
  }
  return out;
}

// Long enough for a version of its own to pay for the call that reaches it (MIN_NODES).
const TEMPLATE = Object.freeze(Array.from({ length: 40 }, (_, i) => ["Hi ", "$name", ", you owe ", "$amount", ">footer"][i % 5]!));

describe("jit: calls that leave out parameters", () => {
  it("specializes calls that pass fewer arguments again, with the missing parameters undefined", () => {
    const j = jit(fill, { specialize: { template: TEMPLATE } });
    const first = inspect(j)!;
    expect(first.assumptions[0]).toMatchObject({ kind: "arity", description: expect.stringMatching(/^arguments\.length >= [34] /) });
    const views = [{ name: "Ann", amount: 3 }, { name: "<b>", amount: -0 }, { name: "Zoë", amount: NaN }];
    for (const view of views) {
      expect(j(TEMPLATE, view)).toBe(fill(TEMPLATE, view));
      expect(j(TEMPLATE, view)).toBe(fill(TEMPLATE, view));
    }
    const after = inspect(j)!;
    expect(after.history.map((h) => h.event)).toContain("respecialized");
    expect(after.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["options === undefined", "partials === undefined"]));
    // Nothing of the options is read any more: the body is the template's own concatenation.
    expect(after.source).not.toMatch(/options\s*&&|options\.|partials\[/);
    // Every other arity still runs exactly.
    const opts: Options = { upper: true, prefix: "> ", sep: "|" };
    for (const view of views) {
      expect(j(TEMPLATE, view, opts)).toBe(fill(TEMPLATE, view, opts));
      expect(j(TEMPLATE, view, opts, { footer: "bye" })).toBe(fill(TEMPLATE, view, opts, { footer: "bye" }));
      expect(j(TEMPLATE, view, undefined, { footer: "!" })).toBe(fill(TEMPLATE, view, undefined, { footer: "!" }));
      expect(j(TEMPLATE, view, undefined)).toBe(fill(TEMPLATE, view, undefined));
      expect(j(TEMPLATE, view)).toBe(fill(TEMPLATE, view));
    }
    // A getter on an options object passed later runs as often as in the original.
    let reads = 0;
    const counting = { get upper() { reads++; return false; } };
    expect(j(TEMPLATE, views[0]!, counting)).toBe(fill(TEMPLATE, views[0]!, { upper: false }));
    const inJit = reads;
    reads = 0;
    fill(TEMPLATE, views[0]!, counting);
    expect(inJit).toBe(reads);
  });

  it("keeps `arguments.length` exact in every version", () => {
    // Strict, so `arguments` is not mapped: a shorter call is forwarded with it (ArityDispatch.forward).
    const f = new Function(`return function f(cfg, a, b) {
      "use strict";
      let s = arguments.length * 1000;
      for (const w of cfg.weights) { s += b && b.scale ? w * b.scale : w; if (b !== undefined && b.neg) s = -s; }
      return s + a;
    }`)();
    const cfg = Object.freeze({ weights: Object.freeze(Array.from({ length: 80 }, (_, i) => (i % 7) - 3)) });
    const j = jit(f, { specialize: { cfg } });
    expect(inspect(j)!.assumptions[0]!.kind).toBe("arity");
    const calls: unknown[][] = [[cfg, 1], [cfg, 1], [cfg, 2, undefined], [cfg, 3, { scale: 2 }], [cfg, 4], [cfg], [cfg, 5, undefined, 9], [cfg, 6, { neg: true }], [cfg, 7]];
    for (const args of calls) expect(j(...args)).toBe(f(...args));
    expect(inspect(j)!.history.map((h) => h.event)).toContain("respecialized");
  });

  it("the first short call runs the original, so that a cache it fills is folded by the next version (mustache)", () => {
    // A template no other test renders: mustache's parse cache is module-wide.
    const template = "<h1>{{title}}</h1>{{#items}}<li>{{name}} x {{qty}}{{#sale}} <b>sale</b>{{/sale}}</li>{{/items}}{{^items}}none{{/items}}<p>{{{note}}} {{&raw}} {{total}}</p><!-- arity -->";
    const j = jit(Mustache.render, { specialize: { template } });
    expect(inspect(j)!.assumptions[0]!.kind).toBe("arity");
    const views: unknown[] = [
      { title: "<T>", items: [{ name: "a&b", qty: 1, sale: true }, { name: "c", qty: -0 }], note: "<i>", raw: "&", total: NaN },
      { title: "x", items: [], total: 3 },
      { title: null, items: "str", note: undefined },
    ];
    for (let r = 0; r < 3; r++) for (const view of views) expect(j(template, view)).toBe(Mustache.render(template, view));
    const info = inspect(j)!;
    expect(info.history.map((h) => h.event)).toContain("respecialized");
    expect(info.assumptions.map((a) => a.description)).toEqual(expect.arrayContaining(["partials === undefined", "config === undefined"]));
    // The parsed tokens are known values in the second version: none of mustache's parser is left
    // (compiled at the first short call, before the cache held them, it parsed on every call).
    expect(info.source).not.toMatch(/openingTagRe|scanner/);
    // Partials and custom tags, passed later, still behave as the library.
    const partials = { p: "[{{title}}]" };
    expect(j(template, views[0], partials)).toBe(Mustache.render(template, views[0], partials));
    expect(j(template, views[0], undefined, ["<%", "%>"])).toBe(Mustache.render(template, views[0], undefined, ["<%", "%>"]));
  });

  it("adds no arity guard to a small version: the call that reaches a second one would cost more than it saves", () => {
    const f = new Function("return function f(k, x, opts) { return (opts && opts.neg ? -x : x) * k.n + (opts && opts.add ? opts.add : 0) + (opts && opts.mul ? opts.mul : 1); }")();
    const k = Object.freeze({ n: 3 });
    const j = jit(f, { specialize: { k } });
    expect(inspect(j)!.assumptions.map((a) => a.kind)).not.toContain("arity");
    for (let i = 0; i < 3; i++) expect(j(k, i)).toBe(f(k, i));
    expect(inspect(j)!.history.map((h) => h.event)).not.toContain("respecialized");
  });

  it("adds no arity guard for parameters the code only passes on, nor to arrows", () => {
    const passOn = new Function("return function f(k, a, b, cb) { const out = [a + k.n, b, cb]; out.push(arguments.length); return out; }")();
    const k = Object.freeze({ n: 2 });
    const j = jit(passOn, { specialize: { k } });
    expect(inspect(j)!.assumptions.map((a) => a.kind)).not.toContain("arity");
    expect(j(k, 1)).toEqual([3, undefined, undefined, 2]);
    const arrow = new Function("return (k, x, opts) => (opts && opts.neg ? -x : x) * k.n")();
    const a = jit(arrow, { specialize: { k } });
    expect(inspect(a)!.assumptions.map((x) => x.kind)).not.toContain("arity");
    expect(a(k, 3)).toBe(6);
    expect(a(k, 3, { neg: true })).toBe(-6);
  });
});
