/**
 * The entry of a tiering function, as `jit(fn)` returns it: made by entry-factory.ts's factories,
 * named and shaped like the original, and reading what the original carries (its own properties,
 * its frozen or sealed state). The dispatcher (dispatcher.ts) makes one for each tiering function,
 * and so does a dormant `jit(fn)` (dormant.ts), before kos's core is loaded: both share its
 * factories (the build's dormant-tier script holds this module, scripts/bundle-compiler.mjs).
 */
import { MAX_FIXED_ARITY, exactEntryClosure, exactFactory, fixedArityFactory, hasOwn, type EntryControl, type EntryHooks } from "./entry-factory.js";

const FUNCTION_KEYS = new Set<PropertyKey>(["length", "name", "prototype", "arguments", "caller"]);

/**
 * A function a library hangs more on (`humanizeDuration.humanizer`, `debug.enable`): the entry
 * reads those through its prototype, the original, as they are now and later (round 13:
 * `jit(humanizeDuration).humanizer` was undefined). So does an entry whose original has another
 * prototype than the entry (ansi-colors' and chalk's style functions, whose prototype holds the
 * `bold` getter; a bound function's, which is its target's): `jit(colors.red).bold` was undefined
 * (sweep33 repro-3). Own keys (`Object.keys`) and writes stay the entry's. A function with nothing
 * more keeps its prototype (one `Reflect.ownKeys`).
 */
export function inheritOwnProperties(entry: Function, original: Function): void {
  if (Reflect.getPrototypeOf(entry) !== Reflect.getPrototypeOf(original)) {
    inheritFrom(entry, original);
    return;
  }
  for (const key of Reflect.ownKeys(original)) {
    if (!FUNCTION_KEYS.has(key)) {
      inheritFrom(entry, original);
      return;
    }
  }
}

/**
 * Makes `original` the entry's prototype, and leaves the original's properties as fast as they
 * were. V8 turns an object that becomes a prototype into a dictionary (slow properties), and makes
 * it fast again only when a property load's inline cache misses on an object whose prototype chain
 * holds it; the program reads the original itself, never through the entry, so it stayed slow for
 * good. humanize-duration's `humanizer` (a function carrying its default options, which the
 * library copies with a `for in` at each call) then ran 9-15 µs a call against 1.4-3 µs, the
 * library's own calls too, from `jit(humanize, ...)` on, called or not, and its version 18-30 µs
 * (docs/notes/small-versions-slower.md; `%HasFastProperties`, Node 20.20.2). So the entry's
 * `name`, its own property, is read once from a site whose inline cache is set up: the load misses
 * (the entry's map is new, with its new prototype) and V8 makes the chain's prototypes fast, for
 * good (a later entry on the same original leaves it fast). A load found on the entry itself runs
 * no code of the program's (a proxy's trap, a getter), and V8's walk up the chain stops at a proxy.
 */
function inheritFrom(entry: Function, original: Function): void {
  Reflect.setPrototypeOf(entry, original);
  if (!readerWarm) {
    // A function's loads have no inline cache until V8 gives it a feedback vector: 16 calls of
    // this one here (Node 20.20.2, a data property); without one the load ran in a builtin that
    // left the prototype slow. Sixteen times that for the margin.
    for (let i = 0; i < 256; i++) readName(readName);
    readerWarm = true;
  }
  // Own on every entry kos makes (a factory's, a bound function): never looked up on the original.
  if (hasOwn.call(entry, "name")) readName(entry);
}
let readerWarm = false;
function readName(f: Function): unknown {
  return f.name;
}

/**
 * An original the program froze, sealed or made not extensible gives an entry that is so too:
 * `Object.isFrozen(jit(f))` read false for a frozen `f`, and a property added to the jitted
 * function stuck where the original's threw in strict code (sweep33). The entry takes the
 * original's `prototype` first, which it otherwise takes at its first `new`, a write a frozen
 * entry refuses.
 */
export function mirrorIntegrity(entry: Function, original: Function): void {
  if (Reflect.isExtensible(original)) return;
  const proto = Reflect.getOwnPropertyDescriptor(original, "prototype");
  if (proto && hasOwn.call(entry, "prototype") && (entry as { prototype?: unknown }).prototype !== proto.value) (entry as { prototype?: unknown }).prototype = proto.value;
  if (Object.isFrozen(original)) Object.freeze(entry);
  else if (Object.isSealed(original)) Object.seal(entry);
  else Object.preventExtensions(entry);
}

/**
 * The hooks a tiering entry calls: the policy's `event`, and `new entry()`, which constructs the
 * original. The entry's `prototype` is made the original's at the first construction, not at
 * `jit()`: reading `prototype` makes V8 allocate it, and that was the largest single cost of
 * jit() (bench: "jit() of a function never called").
 */
export class TieredHooks implements EntryHooks {
  entry: Function | null = null;
  constructor(
    private readonly original: Function,
    readonly event: EntryHooks["event"],
    readonly tick?: () => void,
  ) {}

  construct(args: unknown[], newTarget: Function): unknown {
    const entry = this.entry!;
    if (newTarget !== entry) return Reflect.construct(this.original, args, newTarget);
    // `new entry()` is `new original()`: `new.target` is the original in its body, as without kos
    // (sweep31 repro-3: `this.isF = new.target === F` read false). The entry shares its prototype,
    // for `instanceof entry`.
    if (entry.prototype !== this.original.prototype) entry.prototype = this.original.prototype;
    return Reflect.construct(this.original, args, this.original);
  }
}

/** The shape of a tiering entry: how many formal parameters the original declares (-1 unknown), and whether every argument, `this` and `new.target` must be forwarded exactly. */
export interface EntryShape {
  arity: number;
  exact: boolean;
}

/**
 * A tiering entry for `original`, counting calls and calling `event` at the thresholds its control
 * sets; with `tick`, calling that instead and then the original (entry-factory.ts, ticking entries).
 */
export function makeTieringEntry(original: Function, shape: EntryShape, event: EntryHooks["event"], tick?: () => void): { entry: Function; control: EntryControl; hooks: TieredHooks } {
  // A method, an arrow: no own prototype, and an entry without one (a check that allocates nothing).
  const constructible = hasOwn.call(original, "prototype");
  const factory = !shape.exact && shape.arity >= 0 && shape.arity <= MAX_FIXED_ARITY ? fixedArityFactory(shape.arity, constructible, tick !== undefined) : null;
  const hooks = new TieredHooks(original, event, tick);
  const originalName = original.name;
  const [entry, control] = (factory ?? exactFactory(constructible, tick !== undefined) ?? exactEntryClosure)(original, hooks, typeof originalName === "string" ? originalName : "");
  hooks.entry = entry;
  if (entry.name !== originalName) Object.defineProperty(entry, "name", { value: originalName, configurable: true });
  // A fixed-arity entry already has the length of most originals (not of one with default values).
  if (entry.length !== original.length) Object.defineProperty(entry, "length", { value: original.length, configurable: true });
  // A fixed-arity entry takes the original's `prototype` at its first construction (TieredHooks):
  // reading it makes V8 allocate both, 3.1 µs against 0.3 µs to make the entry without it (/tmp
  // probe, Node 20.20.2). A function named as a constructor is (the language's convention) takes it at
  // once, so that `class S extends jit(F)` made before any `new` inherits F.prototype, and
  // `new F() instanceof entry` holds from the start (sweep32 repro-3).
  if (!factory || (constructible && typeof originalName === "string" && /^[A-Z]/.test(originalName))) {
    const proto = Object.getOwnPropertyDescriptor(original, "prototype");
    if (proto) entry.prototype = proto.value;
  }
  return { entry, control, hooks };
}
