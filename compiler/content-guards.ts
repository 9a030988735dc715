/**
 * The test that folded reads of objects kos does not own still hold: one
 * `obj[key] === value` per read (NaN: `obj[key] !== obj[key]`; 0 and -0 with their sign), and for a
 * folded `Object.keys`, the same own enumerable keys in the same order. Used
 * at entry (compile.ts) and where the evaluator speculates again after foreign
 * code may have run (specialize/speculation.ts).
 */
import { types as utilTypes } from "node:util";
import type { Node } from "./ast.js";
import { buildLiteral } from "./emit.js";

/**
 * `obj[key] === value` when checked; with `keys`, `Object.keys(obj)` is that list (same order),
 * or with `names` too, `Object.getOwnPropertyNames(obj)`.
 */
export interface ContentGuard { obj: object; key: PropertyKey; value: unknown; keys?: readonly string[]; names?: boolean;
  /** With `has`: `key in obj` is `has` (a folded `in`), and `value` is unused. */
  has?: boolean;
  /**
   * With `protoLacks`: `obj`'s prototype is still `proto`, and none of these keys is in it (or up
   * its chain), so that a key `obj` has (a folded `hasOwnProperty`, or a folded `Object.keys`) is its
   * own, not inherited; `key` and `value` are unused.
   */
  protoLacks?: readonly PropertyKey[];
  proto?: object | null;
  /**
   * With `collection`: the built-in lookup (`Map.prototype.has`/`get`, `Set.prototype.has`) of
   * `collectionKey` in `obj` gives `value` (a folded cache lookup, specialize/collection-reads.ts);
   * `key` is unused.
   */
  collection?: CollectionOp;
  collectionKey?: unknown;
  /**
   * With `reader`: calling `obj`, a function whose whole body returns one binding of its own
   * scope (`function getDefaultOptions() { return defaultOptions; }`), gives `value`; `key` is
   * unused (specialize/binding-readers.ts).
   */
  reader?: true;
}

const MapHas = Map.prototype.has;
const MapGet = Map.prototype.get;
const SetHas = Set.prototype.has;

export type CollectionOp = "has" | "get" | "sethas";

/** The lookup a collection guard repeats at entry, with the built-in (whatever the prototype holds now). */
export function collectionLookup(op: CollectionOp, collection: object, key: unknown): unknown {
  if (op === "get") return MapGet.call(collection as Map<unknown, unknown>, key);
  return op === "has" ? MapHas.call(collection as Map<unknown, unknown>, key) : SetHas.call(collection as Set<unknown>, key);
}

/**
 * The content guard for folded `Object.keys`: same own enumerable keys, same order. A for-in
 * walk allocates nothing (11 ns against 13-15 ns for `Object.keys` and a compare, 6 small
 * objects, this machine). It lists own enumerable keys first, in `Object.keys` order, then
 * inherited ones: an inherited enumerable key makes the guard fail, which is only cautious.
 */
export function sameOwnKeys(obj: object, keys: readonly string[]): boolean {
  let i = 0;
  for (const k in obj) if (k !== keys[i++]) return false;
  return i === keys.length;
}

/** The content guard for folded `Object.getOwnPropertyNames`: the same own string keys, same order. */
export function sameOwnNames(obj: object, names: readonly string[]): boolean {
  const now = Object.getOwnPropertyNames(obj);
  if (now.length !== names.length) return false;
  for (let i = 0; i < now.length; i++) if (now[i] !== names[i]) return false;
  return true;
}

/**
 * A string key as the literal a read or `in` test uses: an array index as a number, which names
 * the same property (ToPropertyKey(1) is "1"). V8 reads `a[1]` as an element directly and `a["1"]`
 * through a keyed lookup of the string: gl-matrix's `mat4.multiply` specialized on an unfrozen
 * 16-item array ran 100 ms per million calls against 20 ms for the original, its 16 entry guards
 * written `a["1"]`; in a probe the same guards took 8.4 ms written `a[1]`, 23.5 ms written `a["1"]`.
 */
function keyLiteral(key: string): Node {
  const n = Number(key);
  return /^(?:0|[1-9]\d{0,9})$/.test(key) && n < 2 ** 32 - 1 ? buildLiteral(n)! : buildLiteral(key)!;
}

/**
 * Whether `key` is an own property of `obj` with an accessor or a proxy on the prototype chain
 * above it (read by descriptors: no user code runs). Not for a proxy (kos never folds its reads).
 */
function shadowsAccessor(obj: object, key: PropertyKey): boolean {
  if (utilTypes.isProxy(obj) || !Reflect.getOwnPropertyDescriptor(obj, key)) return false;
  for (let p = Reflect.getPrototypeOf(obj); p !== null; p = Reflect.getPrototypeOf(p)) {
    if (utilTypes.isProxy(p)) return true;
    const d = Reflect.getOwnPropertyDescriptor(p, key);
    if (d) return !("value" in d);
  }
  return false;
}

/** Longest key list written out as a check of its own (ownKeysCheck); longer ones call sameOwnKeys. */
const SITE_KEYS_MAX = 8;

/**
 * The folded `Object.keys` guard written out for one object, as a function of the generated code:
 * its for-in's feedback then sees that object's shape only. Called through the one shared
 * sameOwnKeys, every guarded object's shape met in one for-in, which went megamorphic: json-logic-js's
 * 12-operator rule spent 28% of its compiled code's time there, and over 14 one-key objects a check
 * took 8.6-14.5 ns shared against 3.7-7.0 ns written per object (a .scratch microbenchmark).
 * `function (o) { let n = 0; for (const k in o) { if (n === 0 ? k !== "a" : n === 1 ? k !== "b" : true) return false; n++; } return n === 2; }`.
 * Null for a list longer than SITE_KEYS_MAX. The compile's guards now walk such lists in place
 * (keys-check-statements.ts, a call less per check); this form stays the reference its tests compare.
 */
export function ownKeysCheck(keys: readonly string[]): Node | null {
  if (keys.length > SITE_KEYS_MAX) return null;
  const id = (name: string): Node => ({ type: "Identifier", name });
  const lit = (v: string | number | boolean): Node => buildLiteral(v)!;
  let mismatch: Node = lit(true);
  for (let i = keys.length - 1; i >= 0; i--) {
    mismatch = {
      type: "ConditionalExpression",
      test: { type: "BinaryExpression", operator: "===", left: id("n"), right: lit(i) },
      consequent: { type: "BinaryExpression", operator: "!==", left: id("k"), right: lit(keys[i]!) },
      alternate: mismatch,
    };
  }
  const body: Node[] = [
    { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id("n"), init: lit(0) }] },
    {
      type: "ForInStatement",
      left: { type: "VariableDeclaration", kind: "const", declarations: [{ type: "VariableDeclarator", id: id("k"), init: null }] },
      right: id("o"),
      body: {
        type: "BlockStatement",
        body: [
          { type: "IfStatement", test: mismatch, consequent: { type: "ReturnStatement", argument: lit(false) }, alternate: null },
          { type: "ExpressionStatement", expression: { type: "UpdateExpression", operator: "++", prefix: false, argument: id("n") } },
        ],
      },
    },
    { type: "ReturnStatement", argument: { type: "BinaryExpression", operator: "===", left: id("n"), right: lit(keys.length) } },
  ];
  return { type: "FunctionExpression", id: null, params: [id("o")], body: { type: "BlockStatement", body }, async: false, generator: false, expression: false };
}

/**
 * Longest name list written out as a check of its own (ownNamesCheck): its test grows by one `===`
 * a name. Longer ones call sameOwnNames.
 */
const SITE_NAMES_MAX = 32;

/**
 * The folded `Object.getOwnPropertyNames` guard written out for one object, as a function of the
 * generated code over the names the built-in gives now: `function (n) { return n.length === 2 &&
 * n[0] === "a" && n[1] === "b"; }`, called as `check(getOwnPropertyNames(obj))`. Each compare
 * is with a constant (V8 compares the internalized names by identity), and the function sees one
 * list's shape. Through the one shared sameOwnNames, whose loop met every guarded object's list,
 * TypeBox's checks of its object schemas' names (9, 3 and 3 names, 2.9 times a call) cost 75 ns
 * of a 263 ns call: written out, the call ran 190 ns (--cpu-prof and a rewrite of the version's
 * source, Node 20.20.2). Null for a list longer than SITE_NAMES_MAX.
 */
export function ownNamesCheck(names: readonly string[]): Node | null {
  if (names.length > SITE_NAMES_MAX) return null;
  const n = (): Node => ({ type: "Identifier", name: "n" });
  let test: Node = { type: "BinaryExpression", operator: "===", left: { type: "MemberExpression", object: n(), property: { type: "Identifier", name: "length" }, computed: false, optional: false }, right: buildLiteral(names.length)! };
  names.forEach((name, i) => {
    const item: Node = { type: "MemberExpression", object: n(), property: buildLiteral(i)!, computed: true, optional: false };
    test = { type: "LogicalExpression", operator: "&&", left: test, right: { type: "BinaryExpression", operator: "===", left: item, right: buildLiteral(name)! } };
  });
  return { type: "FunctionExpression", id: null, params: [n()], body: { type: "BlockStatement", body: [{ type: "ReturnStatement", argument: test }] }, async: false, generator: false, expression: false };
}

/** The intrinsic a written-out names check is handed the names by (kos assumes built-ins stay as loaded). */
const ObjectGetOwnPropertyNames = Object.getOwnPropertyNames;

/**
 * The keys checks one compile writes out (ownKeysCheck, ownNamesCheck), one function per guarded object and key
 * list, shared by the entry guards and the speculation's guards that check the same object. The
 * compile owns it: its functions go with the version's other helpers (assemble.ts).
 */
export class OwnKeysChecks {
  readonly helpers: Array<{ name: string; node: Node }> = [];
  private readonly byObject = new Map<object, Array<{ keys: readonly string[]; names: boolean; name: string }>>();

  constructor(private readonly prefix: string) {}

  /**
   * The callee that checks `g.obj`'s keys (called with the object), or its own names (called with
   * what getOwnPropertyNames gives), or null where the shared sameOwnKeys or sameOwnNames does.
   */
  readonly check = (g: ContentGuard): Node | null => {
    const keys = g.keys!;
    const names = !!g.names;
    const known = this.byObject.get(g.obj) ?? [];
    let name = known.find((e) => e.names === names && e.keys.length === keys.length && e.keys.every((k, i) => k === keys[i]))?.name;
    if (name === undefined) {
      const node = names ? ownNamesCheck(keys) : ownKeysCheck(keys);
      if (!node) return null;
      name = `${this.prefix}${names ? "ownNames" : "ownKeys"}${this.helpers.length}`;
      this.helpers.push({ name, node });
      known.push({ keys, names, name });
      this.byObject.set(g.obj, known);
    }
    return { type: "Identifier", name };
  };
}

/**
 * One expression that is true while every guard holds; `reference` passes objects by reference.
 * `keysCheck`, where given, names a function of the generated code that checks one object's keys
 * (ownKeysCheck), or returns null for the shared one.
 */
export function contentGuardTest(guards: readonly ContentGuard[], reference: (value: unknown, hint: string) => Node, keysCheck?: (g: ContentGuard) => Node | null): Node | null {
  let test: Node | null = null;
  for (const g of guards) {
    let one: Node;
    if (g.protoLacks) {
      // V8 folds both for a constant object of a stable shape (a dependency on its map).
      const same: Node = { type: "BinaryExpression", operator: "===", left: { type: "CallExpression", optional: false, callee: reference(Object.getPrototypeOf, "getPrototypeOf"), arguments: [reference(g.obj, "obj")] }, right: g.proto === null ? buildLiteral(null)! : reference(g.proto, "proto") };
      one = same;
      if (g.proto) {
        for (const k of g.protoLacks) {
          const lacks: Node = { type: "UnaryExpression", operator: "!", prefix: true, argument: { type: "BinaryExpression", operator: "in", left: typeof k === "symbol" ? reference(k, "key") : keyLiteral(String(k)), right: reference(g.proto, "proto") } };
          one = { type: "LogicalExpression", operator: "&&", left: one, right: lacks };
        }
      }
    } else if (g.has !== undefined) {
      const test: Node = { type: "BinaryExpression", operator: "in", left: typeof g.key === "symbol" ? reference(g.key, "key") : keyLiteral(String(g.key)), right: reference(g.obj, "obj") };
      one = g.has ? test : { type: "UnaryExpression", operator: "!", prefix: true, argument: test };
      if (!g.has && !utilTypes.isProxy(g.obj)) {
        // A key folded as absent (a read folded to undefined): `in` asks a proxy's `has` trap, a read
        // its `get` trap. A prototype replaced by a proxy whose `get` answers what `has` denies was
        // read as absent (sweep39): the guard reads the key too. V8 answers a read of a key absent
        // from a constant object's chain from its maps; a check of the prototype itself cost
        // typebox's version 12% (372 ns a call against 430, CPU medians, one build each).
        const read: Node = { type: "MemberExpression", object: reference(g.obj, "obj"), property: typeof g.key === "symbol" ? reference(g.key, "key") : keyLiteral(String(g.key)), computed: true, optional: false };
        // After `in`: a key added since (an own getter) fails the guard there, before any read.
        one = { type: "LogicalExpression", operator: "&&", left: one, right: { type: "BinaryExpression", operator: "===", left: read, right: { type: "UnaryExpression", operator: "void", prefix: true, argument: buildLiteral(0)! } } };
      }
    } else if (g.keys) {
      const own = keysCheck ? keysCheck(g) : null;
      const subject: Node = reference(g.obj, "obj");
      one = own
        ? { type: "CallExpression", optional: false, callee: own, arguments: [g.names ? { type: "CallExpression", optional: false, callee: reference(ObjectGetOwnPropertyNames, "namesOf"), arguments: [subject] } : subject] }
        : { type: "CallExpression", optional: false, callee: reference(g.names ? sameOwnNames : sameOwnKeys, g.names ? "sameNames" : "sameKeys"), arguments: [reference(g.obj, "obj"), reference(g.keys, "keys")] };
    } else {
      // A symbol key is passed by reference (buildLiteral would make any non-string `void 0`).
      const read: Node = g.reader
        ? { type: "CallExpression", optional: false, callee: reference(g.obj, "reader"), arguments: [] }
        : g.collection
        ? collectionRead(g.collection, reference(g.obj, "collection"), literalOrReference(g.collectionKey, reference), reference)
        : { type: "MemberExpression", object: reference(g.obj, "obj"), property: typeof g.key === "symbol" ? reference(g.key, "key") : keyLiteral(String(g.key)), computed: true, optional: false };
      const lit = buildLiteral(g.value);
      const eq: Node = { type: "BinaryExpression", operator: "===", left: read, right: lit ?? reference(g.value, "value") };
      if (typeof g.value === "number" && Number.isNaN(g.value)) one = { type: "BinaryExpression", operator: "!==", left: read, right: { ...read } };
      else if (g.value === 0) {
        // 0 and -0 are === but fold differently (fuzz seed 24301 #173 logged 0 for a stored -0): the sign is checked.
        const inverse: Node = { type: "BinaryExpression", operator: "/", left: buildLiteral(1)!, right: { ...read } };
        one = { type: "LogicalExpression", operator: "&&", left: eq, right: { type: "BinaryExpression", operator: Object.is(g.value, -0) ? "<" : ">", left: inverse, right: buildLiteral(0)! } };
      } else one = eq;
      // An own data property that shadows an accessor (or a proxy) up the chain: once deleted, the
      // guard's read would run that getter, a call the original never makes (round 13). Its own-ness
      // is tested first.
      if (!g.collection && !g.reader && shadowsAccessor(g.obj, g.key)) {
        const own: Node = { type: "CallExpression", optional: false, callee: reference(Object.hasOwn, "hasOwn"), arguments: [reference(g.obj, "obj"), typeof g.key === "symbol" ? reference(g.key, "key") : buildLiteral(String(g.key))!] };
        one = { type: "LogicalExpression", operator: "&&", left: own, right: one };
      }
    }
    test = test ? { type: "LogicalExpression", operator: "&&", left: test, right: one } : one;
  }
  return test;
}

/**
 * The built-in lookup of a collection guard, at its site: `MapHas.call(m, key)` with the built-in
 * passed by reference (a call whose feedback sees that collection only), instead of one shared
 * collectionLookup that chose the built-in by name for every guard of the program: mingo's compiled
 * query spent 7% of its time in it (a --cpu-prof of the natural use, 269 of 3,900 ms). Measured
 * after, old and new build in one process: 3-8% faster in 4 of 5 runs, 7% slower in one (noise).
 */
function collectionRead(op: CollectionOp, collection: Node, key: Node, reference: (value: unknown, hint: string) => Node): Node {
  const builtin = op === "get" ? MapGet : op === "has" ? MapHas : SetHas;
  const callee: Node = { type: "MemberExpression", object: reference(builtin, op === "get" ? "mapGet" : op === "has" ? "mapHas" : "setHas"), property: { type: "Identifier", name: "call" }, computed: false, optional: false };
  return { type: "CallExpression", optional: false, callee, arguments: [collection, key] };
}

/** A primitive as a literal the code generator builds (a string or number key), anything else by reference. */
function literalOrReference(v: unknown, reference: (value: unknown, hint: string) => Node): Node {
  if (v === null || v === undefined || typeof v === "string" || typeof v === "boolean" || (typeof v === "number" && Number.isFinite(v) && !Object.is(v, -0))) {
    const lit = buildLiteral(v);
    if (lit) return lit;
  }
  return reference(v, "key");
}
