import { describe, it, expect } from "vitest";
import { resolveMethod, readDataProperty, isOrdinaryDataObject } from "../../../compiler/discover/receiver.js";

class Base {
  run(x: number): number {
    return x + 1;
  }
  get loud(): string {
    throw new Error("getter ran");
  }
}
class Derived extends Base {
  own = 5;
}

describe("resolveMethod", () => {
  it("walks the prototype chain and reports holder and depth", () => {
    const d = new Derived();
    const r = resolveMethod(d, "run")!;
    expect(r.holder).toBe(Base.prototype);
    expect(r.depth).toBe(2);
    expect(r.descriptor.value).toBe(Base.prototype.run);
    expect(resolveMethod(d, "own")).toMatchObject({ holder: d, depth: 0, descriptor: { value: 5 } });
    expect(resolveMethod(d, "toString")!.holder).toBe(Object.prototype);
    expect(resolveMethod(d, "missing")).toBeNull();
    expect(resolveMethod(Object.create(null), "x")).toBeNull();
    const sym = Symbol("k");
    expect(resolveMethod({ [sym]: 1 }, sym)!.descriptor.value).toBe(1);
  });

  it("reports a getter without running it", () => {
    const r = resolveMethod(new Derived(), "loud")!;
    expect(typeof r.descriptor.get).toBe("function");
    expect(r.holder).toBe(Base.prototype);
  });

  it("refuses a proxy anywhere on the chain without touching a trap", () => {
    let trapped = 0;
    const handler: ProxyHandler<object> = new Proxy({}, { get() { trapped++; return undefined; } });
    const p = new Proxy({ run() {} }, handler);
    expect(resolveMethod(p, "run")).toBeNull();
    const child = Object.create(p);
    Object.defineProperty(child, "mine", { value: 1 }); // an assignment would itself hit the proxy's set trap
    expect(resolveMethod(child, "mine")).toMatchObject({ depth: 0 }); // found before the proxy
    expect(resolveMethod(child, "run")).toBeNull();
    expect(trapped).toBe(0);
  });
});

describe("readDataProperty", () => {
  it("reads data properties, flags accessors and proxies, misses cleanly", () => {
    const d = new Derived();
    expect(readDataProperty(d, "own")).toEqual({ found: true, value: 5, holder: d, isAccessor: false, isProxy: false });
    expect(readDataProperty(d, "loud")).toEqual({ found: true, value: undefined, holder: Base.prototype, isAccessor: true, isProxy: false });
    expect(readDataProperty(d, "nope")).toEqual({ found: false, value: undefined, holder: null, isAccessor: false, isProxy: false });
    const p = new Proxy({ a: 1 }, {});
    expect(readDataProperty(p, "a")).toEqual({ found: false, value: undefined, holder: p, isAccessor: false, isProxy: true });
  });

  it("keeps -0 and NaN exactly, and reads arrays and typed arrays", () => {
    expect(Object.is(readDataProperty({ z: -0 }, "z").value, -0)).toBe(true);
    expect(Number.isNaN(readDataProperty({ n: NaN }, "n").value)).toBe(true);
    expect(readDataProperty([1, 2], "length").value).toBe(2);
    expect(readDataProperty(new Float64Array([1.5]), 0).value).toBe(1.5);
  });

  it("refuses module namespace objects (live bindings)", async () => {
    const ns = await import("node:path");
    expect(isOrdinaryDataObject(ns)).toBe(false);
    expect(readDataProperty(ns, "sep").isProxy).toBe(true);
  });
});

describe("isOrdinaryDataObject", () => {
  it("accepts objects and functions, refuses primitives and proxies", () => {
    expect(isOrdinaryDataObject({})).toBe(true);
    expect(isOrdinaryDataObject(() => 1)).toBe(true);
    expect(isOrdinaryDataObject(null)).toBe(false);
    expect(isOrdinaryDataObject(1)).toBe(false);
    expect(isOrdinaryDataObject(new Proxy({}, {}))).toBe(false);
  });
});
