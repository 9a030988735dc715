/**
 * `memoize(fn, options)` and the `@memoize(options)` method decorator.
 *
 * Keys. With no `key` option the arguments must be primitives (number,
 * string, boolean, bigint, symbol, null, undefined); an object or function
 * argument throws `KosError("MEMOIZE_KEY_REQUIRED")` rather than silently
 * keying by identity, which would leak memory and miss on every structurally
 * equal call. Pass `key: (...args) => anyValue` for those; its result is used
 * as a Map key (SameValueZero, objects by identity).
 *
 * Every argument is compared as a Map key compares (SameValueZero: NaN
 * matches NaN, -0 matches 0, symbols by identity), position by position, and
 * calls with different argument counts are different keys: `f(1)` and
 * `f(1, undefined)` are cached apart. No key string is ever built, so
 * `f(1, "2")` and `f("1", 2)` cannot collide.
 *
 * - One argument: the argument itself is the cache key (one Map lookup).
 * - Zero or several arguments: an {@link ArgTrie}, one Map level per argument.
 *   Bounded caches intern each argument list as a token object in the trie and
 *   key the LRU by the token; an evicted token leaves the trie with it.
 *
 * The receiver. `this` is part of the key: a call with no receiver (`f(1)`,
 * `f.call(null, 1)`) uses the function's own cache, and a call on a receiver
 * (`o.m(1)`) uses a cache of that receiver's own, created on its first call
 * and held in a WeakMap (primitive receivers, possible only through
 * `call`/`apply`, in a Map). So `o2.m(1)` never returns `o1.m(1)`'s result, and
 * a collected receiver takes its cache with it. `maxSize` and `ttl` apply to
 * each cache separately. The plain call pays one `this == null` test for this.
 */
import { KosError } from "../errors.js";
import { checkOptionKeys } from "../option-keys.js";

const MEMOIZE_KEYS: ReadonlySet<string> = new Set(["maxSize", "ttl", "key", "async", "now"]);
import { wrapPlain, type Memoized, type MemoizeOptions } from "./memoize-wrappers.js";

export type { Memoized, MemoizeOptions, MemoizeStats } from "./memoize-wrappers.js";

function checkOptions(options: MemoizeOptions<any>): void {
  if (options === null || typeof options !== "object") throw new KosError("MEMOIZE_BAD_OPTION", "memoize options must be an object");
  checkOptionKeys(options, MEMOIZE_KEYS, "memoize option", (m) => new KosError("MEMOIZE_BAD_OPTION", m));
  const { maxSize, ttl, key, now } = options;
  if (maxSize !== undefined && (!Number.isInteger(maxSize) || maxSize < 1)) {
    throw new KosError("MEMOIZE_BAD_OPTION", `maxSize must be a positive integer, got ${String(maxSize)}`);
  }
  if (ttl !== undefined && maxSize === undefined) {
    throw new KosError("MEMOIZE_BAD_OPTION", "ttl needs maxSize: an unbounded cache with TTL would only shrink when read");
  }
  if (key !== undefined && typeof key !== "function") throw new KosError("MEMOIZE_BAD_OPTION", "key must be a function");
  if (now !== undefined && typeof now !== "function") throw new KosError("MEMOIZE_BAD_OPTION", "now must be a function");
}

function wrap<F extends (...args: any[]) => any>(fn: F, options: MemoizeOptions<Parameters<F>>): Memoized<F> {
  checkOptions(options);
  return wrapPlain(fn, options, true);
}

/** Per decorated method: instance → that instance's memoized method. */
const methodCaches = new WeakMap<Function, WeakMap<object, Memoized<any>>>();

function decorator(options: MemoizeOptions<any>) {
  checkOptions(options);
  return function memoizeMethod<This, A extends unknown[], R>(
    method: (this: This, ...args: A) => R,
    context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
  ): (this: This, ...args: A) => R {
    if (context?.kind !== "method") throw new KosError("MEMOIZE_BAD_TARGET", "@memoize applies to class methods only");
    const perInstance = new WeakMap<object, Memoized<any>>();
    const replacement = function (this: This): R {
      const self = this as unknown as object;
      let m = perInstance.get(self);
      if (m === undefined) {
        if (self === null || (typeof self !== "object" && typeof self !== "function")) {
          throw new KosError("MEMOIZE_BAD_TARGET", `@memoize method ${String(context.name)} called without an object receiver`);
        }
        // Already one cache per instance: `this` is only passed through.
        m = wrapPlain(method as (...args: any[]) => any, options, false);
        perInstance.set(self, m);
      }
      return m.apply(self, arguments as never);
    };
    methodCaches.set(replacement, perInstance);
    return replacement as (this: This, ...args: A) => R;
  };
}

/**
 * Memoizes `fn`: results are cached by argument key (see the module notes on
 * keys), optionally bounded by `maxSize` (LRU) and `ttl`. The receiver is part
 * of the key: `o1.m(1)` and `o2.m(1)` are cached apart, each receiver in a
 * cache of its own held weakly (limits apply per receiver); calls without a
 * receiver share the function's cache. `stats()` sums the caches of the
 * receivers still alive, and `clear()` empties them all.
 *
 * @example
 * const area = memoize((w: number, h: number) => w * h, { maxSize: 1000 });
 * area(2, 3); area(2, 3); area.stats().hits; // 1
 */
export function memoize<F extends (...args: any[]) => any>(fn: F, options?: MemoizeOptions<Parameters<F>>): Memoized<F>;
/**
 * A standard (TC39, TypeScript 5+ without `experimentalDecorators`) method
 * decorator. Each instance gets its own cache, created on its first call and
 * held in a WeakMap, so instances never share results and a collected
 * instance takes its cache with it. Static methods are cached per class.
 * Reach an instance's cache with {@link methodCache}.
 *
 * @example
 * class Geo { @memoize({ maxSize: 100 }) distance(a: string, b: string) { ... } }
 */
export function memoize(options?: MemoizeOptions<any>): <This, A extends unknown[], R>(
  method: (this: This, ...args: A) => R,
  context: ClassMethodDecoratorContext<This, (this: This, ...args: A) => R>,
) => (this: This, ...args: A) => R;
export function memoize(fnOrOptions?: unknown, options?: MemoizeOptions<any>): unknown {
  if (typeof fnOrOptions === "function") return wrap(fnOrOptions as (...args: any[]) => any, options ?? {});
  if (fnOrOptions === undefined || (typeof fnOrOptions === "object" && fnOrOptions !== null)) {
    return decorator((fnOrOptions ?? {}) as MemoizeOptions<any>);
  }
  throw new KosError("MEMOIZE_BAD_OPTION", `memoize expects a function or an options object, got ${typeof fnOrOptions}`);
}

/**
 * The cache behind a `@memoize` method for one instance (or class, for a
 * static method): `methodCache(obj, obj.method)?.stats()`. `undefined` until
 * that instance first calls the method.
 */
export function methodCache(instance: object, method: Function): Memoized<any> | undefined {
  return methodCaches.get(method)?.get(instance);
}
