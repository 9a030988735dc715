/**
 * kos's error helpers and their self-contained sources (compiler/error-helpers.ts): `kos build`
 * binds the source where compiled code references a helper, so the two must answer alike.
 */
import { describe, expect, it } from "vitest";
import { ERROR_HELPERS, forwardApply, iterableAsWritten, iterableOrNull, iterateOnce, notAFunction, notIterableDefaultMessage, notIterableValue, standaloneHelperSource } from "../../compiler/error-helpers.js";

/** The helper made from its standalone source, as the output module evaluates it. */
function fromSource(fn: Function): Function {
  const source = standaloneHelperSource(fn);
  expect(source, fn.name).not.toBeNull();
  return new Function(`return (${source});`)() as Function;
}

class Iterable {
  *[Symbol.iterator]() {
    yield 1;
  }
}
class NotCallableIterator {
  get [Symbol.iterator]() {
    return 5;
  }
}

const VALUES: unknown[] = [
  null, undefined, 0, -0, NaN, 5, "", "ab", true, false, 10n, Symbol("s"),
  [], [1, 2], {}, { a: 1 }, Object.create(null), new Map([[1, 2]]), new Set([1]), new Iterable(), new NotCallableIterator(),
  { [Symbol.iterator]: 3 }, { [Symbol.iterator]: () => [][Symbol.iterator]() }, Object.create({ [Symbol.iterator]: null }),
  () => 1, function named() {}, new Proxy({}, {}), new Proxy([], {}), Object.create(new Proxy({}, {})), new Uint8Array(2), "x".repeat(3),
];

describe("the standalone sources of kos's error helpers", () => {
  it("every helper has one, and nothing else does", () => {
    for (const f of ERROR_HELPERS) expect(standaloneHelperSource(f), f.name).not.toBeNull();
    expect(standaloneHelperSource(() => 1)).toBeNull();
    expect(standaloneHelperSource("notIterableValue")).toBeNull();
  });

  it("forwardApply calls what was read with its receiver, names the callee of sloppy `arguments`, or throws the engine's message", () => {
    for (const helper of [forwardApply, fromSource(forwardApply)]) {
      const g = function g() {};
      const seen: unknown[] = [];
      const own = function (this: unknown, t: unknown, args: IArguments) {
        seen.push(this === g, t, args.length, args[0], args.callee === g, Object.getOwnPropertyDescriptor(args, "callee"));
        return "own";
      };
      const sloppyArgs = new Function("return arguments")(7, 8) as IArguments;
      expect(helper(own, g, "self", sloppyArgs, g, "g.apply")).toBe("own");
      expect(seen).toEqual([true, "self", 2, 7, true, { value: g, writable: true, enumerable: false, configurable: true }]);
      // Strict `arguments` (callee undefined here): its callee accessor is left as it is.
      const strictArgs = new Function('"use strict"; return arguments')(1) as IArguments;
      expect(helper((_t: unknown, a: IArguments) => a.length, g, null, strictArgs, undefined, "g.apply")).toBe(1);
      expect(() => strictArgs.callee).toThrow(TypeError);
      expect(() => helper(5, g, null, sloppyArgs, g, "fn.apply")).toThrow(new TypeError("fn.apply is not a function"));
    }
  });

  it("notIterableValue answers as the helper does, for primitives, objects, proxies and prototypes given an iterator", () => {
    const standalone = fromSource(notIterableValue);
    VALUES.forEach((v, i) => expect(standalone(v), `VALUES[${i}]`).toBe(notIterableValue(v)));
    // A program may give a primitive's prototype an iterator: both read it as it is at the call.
    const proto = Number.prototype as unknown as Record<symbol, unknown>;
    proto[Symbol.iterator] = function* () {};
    try {
      expect(notIterableValue(5)).toBe(false);
      expect(standalone(5)).toBe(false);
    } finally {
      delete proto[Symbol.iterator];
    }
    expect(standalone(5)).toBe(true);
  });

  it("iterableAsWritten and iterableOrNull give back the value, or an iterable of the same items, or fail alike", () => {
    const standalone = fromSource(iterableAsWritten);
    const orNull = fromSource(iterableOrNull);
    const nulls = (helper: Function) => VALUES.map((v) => (helper(v) === null ? "null" : helper(v) === v ? "itself" : [...(helper(v) as Iterable<unknown>)]));
    expect(nulls(orNull)).toEqual(nulls(iterableOrNull));
    // What a for-of over the result sees: the value itself, the items of a stand-in, or the error.
    const seen = (helper: Function, v: unknown, message: string | null) => {
      try {
        const r = helper(v, message);
        if (r === v) return "itself";
        return `items ${JSON.stringify([...(r as Iterable<unknown>)])}`;
      } catch (e) {
        return `${(e as Error).constructor.name}: ${(e as Error).message}`;
      }
    };
    for (const message of [null, "d.items is not iterable"]) {
      VALUES.forEach((v, i) => expect(seen(standalone, v, message), `VALUES[${i}]`).toBe(seen(iterableAsWritten, v, message)));
    }
    // Every value the for-of test rejected is rejected with the message; the others pass as they are
    // unless finding their iterator runs code (a proxy, a getter), which is read once.
    VALUES.forEach((v, i) => {
      const r = seen(iterableAsWritten, v, "m");
      if (notIterableValue(v)) expect(r, `VALUES[${i}]`).toBe("TypeError: m");
    });
    expect(seen(iterableAsWritten, new Proxy([1, 2], {}), null)).toBe("items [1,2]");
    expect(seen(iterableAsWritten, new Proxy({}, {}), null)).toBe("TypeError: object is not iterable (cannot read property Symbol(Symbol.iterator))");
    expect(seen(iterableAsWritten, new NotCallableIterator(), "o.x is not iterable")).toBe("TypeError: o.x is not iterable");
  });

  it("notIterableDefaultMessage, notAFunction and iterateOnce answer as the helpers do", () => {
    const message = fromSource(notIterableDefaultMessage);
    for (const v of VALUES) expect(message(v)).toBe(notIterableDefaultMessage(v));
    const thrower = fromSource(notAFunction);
    const caught = (f: () => unknown) => { try { f(); return null; } catch (e) { return `${(e as Error).constructor.name}: ${(e as Error).message}`; } };
    expect(caught(() => thrower("o.m"))).toBe(caught(() => notAFunction("o.m")));
    const once = fromSource(iterateOnce);
    expect([...(once("v") as Iterable<unknown>)]).toEqual([...iterateOnce("v")]);
  });
});
