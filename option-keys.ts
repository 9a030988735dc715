/**
 * Options objects whose keys are checked: a key the receiver does not know is a mistake that would
 * otherwise pass in silence. `jit(fn, { hotCalls: 200 })` (a tiering option) left the function at
 * tier 0 with nothing said (compiler/jit-options.ts); `memoize(f, { max: 100 })` (the option is
 * `maxSize`) made an unbounded cache, and `new LruCache({ max: 10, ttlMs: 500 })` (it is `ttl`) one
 * whose entries never expire. TypeScript's excess-property check catches these only in typed code,
 * and only on an object literal.
 */

/** Levenshtein distance, ignoring case; for a "did you mean" on the error path only. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const cur = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, prev + (a[i - 1]!.toLowerCase() === b[j - 1]!.toLowerCase() ? 0 : 1));
      prev = cur;
    }
  }
  return row[b.length]!;
}

/**
 * The known key `key` most likely stands for, if any: a misspelling (within a quarter of its
 * length), else one of which it is a part or which is a part of it, of 3 characters or more
 * (`max` for `maxSize`, `ttlMs` for `ttl`).
 */
export function nearKey(key: string, known: Iterable<string>): string | undefined {
  const keys = [...known];
  const spelt = keys.find((k) => distance(key, k) <= Math.max(1, Math.floor(k.length / 4)));
  if (spelt !== undefined) return spelt;
  const lower = key.toLowerCase();
  return lower.length < 3 ? undefined : keys.find((k) => k.length >= 3 && (k.toLowerCase().startsWith(lower) || lower.startsWith(k.toLowerCase())));
}

const HAS_OWN = Object.prototype.hasOwnProperty;

/** The first own enumerable key of `options` not in `known`, or undefined. Inherited keys are no option the caller passed. */
export function unknownKey(options: object, known: ReadonlySet<string>): string | undefined {
  for (const key in options) if (!known.has(key) && HAS_OWN.call(options, key)) return key;
  return undefined;
}

/**
 * The message for an unknown key `key` of `what` ("memoize option", "monitor option"): the near key
 * if there is one, and every known key.
 */
export function unknownKeyMessage(what: string, key: string, known: ReadonlySet<string>): string {
  const near = nearKey(key, known);
  return `unknown ${what} '${key}'${near ? `: did you mean '${near}'?` : ""} (known: ${[...known].join(", ")})`;
}

/** Throws `fail(message)` for the first own key of `options` not in `known`. */
export function checkOptionKeys(options: object, known: ReadonlySet<string>, what: string, fail: (message: string) => Error): void {
  const key = unknownKey(options, known);
  if (key !== undefined) throw fail(unknownKeyMessage(what, key, known));
}
