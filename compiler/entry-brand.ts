/**
 * What `inspect(f)` reads for a tiering entry, the function `jit()` returns: a private field the
 * dispatcher adds to it, in place of an entry in a WeakMap.
 *
 * A WeakMap entry per `jit()` cost about 150-650 ns against 80-320 ns for the field, and every
 * WeakMap entry is an ephemeron the garbage collector visits again at each collection, which grew
 * with the program's heap (.scratch/wm.mjs, 1000 fresh functions a round). The field is invisible
 * to the program: `Reflect.ownKeys`, `Object.getOwnPropertySymbols` and proxies never see it.
 *
 * Only entries carry it. A function of the program (an original settled as it is) is never given a
 * field, not even a private one: it would change that function's hidden class. Nor is an explicit
 * version, which keeps V8's initial function map (test/compiler/function-map.test.ts).
 */

/** A base whose constructor returns its argument, so that a subclass's fields land on that object. */
class OnObject {
  constructor(target: object) {
    return target;
  }
}

/** Adds the field to a function kos made. */
export class EntryBrand extends OnObject {
  #owner: unknown;
  private constructor(target: Function, owner: unknown) {
    super(target);
    this.#owner = owner;
  }

  /** Gives `target` (a function kos made) its owner, or a new one. */
  static stamp(target: Function, owner: unknown): void {
    if (#owner in target) (target as unknown as EntryBrand).#owner = owner;
    else new EntryBrand(target, owner);
  }

  /** The owner of `f`, or undefined for a function kos did not brand. */
  static ownerOf(f: Function): unknown {
    return #owner in f ? (f as unknown as EntryBrand).#owner : undefined;
  }
}
