/**
 * Installs an optimized top-level function declaration without replacing the
 * function object the module created.
 *
 * Reassigning the binding (`f = f$kos` at the end of the module) gave callers
 * a new function: a `Set` or an object built while the module loaded still
 * held the original, properties set on it (`memo.label = …`) were lost, and
 * `Point.prototype.norm = …` went to a prototype the new function did not
 * have (sweep 30, B3). So the declared name stays one object from the
 * module's start:
 *
 *   export function handler(x) { … }    (tsc's line)
 * becomes, with same-length edits only (every column and line kept),
 *          function $000000(x) { … }    (the original, renamed: the fallback)
 * and the module ends with
 *   function handler(a0) { return new.target === undefined ? handler$kos.apply(this, arguments) : Reflect.construct($000000, arguments, new.target); }
 *   function handler$kos() { return $000000.apply(this, arguments); }
 *   export { handler };
 *   handler$kos = <optimized, its fallback $000000>;
 *
 * Both declarations are hoisted, so `handler` is the forwarder from the
 * module's first statement, with the original's `name` and `length`; until
 * the last line installs the optimized version, it runs the original. `new
 * handler()` constructs the original with the forwarder as `new.target`, so
 * instances get `handler.prototype`, the object the module's own code
 * extends. The forwarder calls the
 * optimized version through a binding the install rewrites; V8 inlines a
 * plain call of it (see the forwarder's line below for what stops that).
 */
import * as acorn from "acorn";
import { underCondition } from "./build-time-values.js";
import { commentText, stringLiteral } from "./literal.js";
import type { BoundFunction } from "./splice.js";

/** Where a top-level function declaration sits in the emitted JS. */
export interface DeclarationPlace {
  /** The declared name's offsets. */
  idStart: number;
  idEnd: number;
  /** `export ` / `export default ` before `function`, as offsets, or null. */
  exportStart: number | null;
  exportEnd: number | null;
  defaultExport: boolean;
}

/** Every top-level function declaration of `program` by name. */
export function declarationPlaces(program: acorn.Program): Map<string, DeclarationPlace> {
  const out = new Map<string, DeclarationPlace>();
  for (const st of program.body) {
    const exported = st.type === "ExportNamedDeclaration" || st.type === "ExportDefaultDeclaration";
    const decl = exported ? (st as acorn.ExportNamedDeclaration).declaration : st;
    if (decl?.type !== "FunctionDeclaration" || !decl.id || decl.async || decl.generator) continue;
    out.set(decl.id.name, {
      idStart: decl.id.start, idEnd: decl.id.end,
      exportStart: exported ? st.start : null, exportEnd: exported ? decl.start : null,
      defaultExport: st.type === "ExportDefaultDeclaration",
    });
  }
  return out;
}

/** Every name token of `js` (conservative: property names count too), for choosing names nothing uses. */
export function namesIn(js: string, esm: boolean): Set<string> {
  const names = new Set<string>();
  for (const t of acorn.tokenizer(js, { ecmaVersion: "latest", sourceType: esm ? "module" : "script", allowHashBang: true, allowReturnOutsideFunction: !esm })) {
    if (t.type === acorn.tokTypes.name || t.type.keyword !== undefined) names.add(js.slice(t.start, t.end));
  }
  return names;
}

const FIRST = "$_abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

/** A name of exactly `length` characters in neither `used` nor `taken` (added to `taken`), or null. */
export function sameLengthName(length: number, used: Set<string>, taken: Set<string>): string | null {
  const free = (n: string) => !used.has(n) && !taken.has(n);
  let found: string | null = null;
  if (length === 1) found = [...FIRST].find(free) ?? null;
  else {
    // `$` and base-36 digits: 36^(length-1) candidates; the first few hundred are plenty.
    for (let i = 0; i < 1000 && found === null; i++) {
      const n = `$${i.toString(36).padStart(length - 1, "0")}`;
      if (n.length === length && free(n)) found = n;
    }
  }
  if (found !== null) taken.add(found);
  return found;
}

/** The same-length edits and the trailer lines that keep `name` one object, forwarding to the optimized version. */
export function installForwarded(opts: {
  js: string; name: string; place: DeclarationPlace; original: string; cell: string; length: number;
  bound: BoundFunction; esm: boolean; note: string; freeze: string[]; condition: string | null;
  /** The original has `length` plain parameters and never reads `arguments`: its arguments can be passed by name. */
  plainParameters?: boolean;
  /** The original never names `this`: the call need not pass the forwarder's. */
  noThis?: boolean;
}): { edits: Array<{ start: number; end: number; text: string }>; trailer: string } {
  const { place, name, original, cell } = opts;
  const edits = [{ start: place.idStart, end: place.idEnd, text: original }];
  if (place.exportStart !== null && opts.esm) {
    edits.push({ start: place.exportStart, end: place.exportEnd!, text: " ".repeat(place.exportEnd! - place.exportStart) });
  }
  const params = Array.from({ length: opts.length }, (_, i) => `a${i}`).join(", ");
  const lines = [
    `/* kos build: ${commentText(opts.note)} */`,
    // Hoisted: the forwarder is `name` from the module's start, as the declaration it replaces was.
    // Arguments passed by name where nothing can tell their number (no `arguments`, no default or rest),
    // and no `this` where the function never names it: V8 inlines a plain call through the binding the
    // install rewrites, and neither `.call(this, …)` nor `.apply(this, arguments)` (the sample project's
    // `response curve ×256`: 567 ns a round called so, 2.39-2.44 µs through `.call(this, x)`, 542 ns with
    // the old reassignment; `matmul 4×4` 29.3 ns a call through `.call`, 33.7-34.0 through `.apply`,
    // 27.7-27.9 reassigned; medians of 9 rounds, a quiet machine).
    `function ${name}(${params}) { return new.target === undefined ? ${!opts.plainParameters ? `${cell}.apply(this, arguments)` : opts.noThis ? `${cell}(${params})` : `${cell}.call(this${params ? `, ${params}` : ""})`} : Reflect.construct(${original}, arguments, new.target); }`,
    `function ${cell}() { return ${original}.apply(this, arguments); }`,
    // Stack frames of the fallback show the original's name.
    `Object.defineProperty(${original}, "name", { value: ${stringLiteral(name)} });`,
  ];
  if (place.exportStart !== null && opts.esm) lines.push(place.defaultExport ? `export { ${name} as default };` : `export { ${name} };`);
  const install = [`${cell} = ${opts.bound.expression};`, ...opts.freeze.map((f) => `Object.freeze(${f});`)];
  return { edits, trailer: [...lines, ...underCondition(opts.condition, install)].join("\n") + "\n" };
}
