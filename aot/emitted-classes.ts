/**
 * The classes of a module's emitted JS, in document order, and the probe's
 * hook into them. kos build pairs the i-th emitted class with the i-th class
 * of the TypeScript module (class-methods.ts) and checks the pairing by the
 * method keys both declare.
 *
 * At build time the probe copy of the module (probe.ts) gets a static block
 * as the first element of every class body: it hands the class object to
 * kos build each time the class is created, before any static field runs,
 * with the methods as the class defined them. Only the probe copy is
 * changed; the output's classes are untouched.
 */
import * as acorn from "acorn";
import * as walk from "acorn-walk";
import { stringLiteral } from "./literal.js";

export interface EmittedClass {
  /** Offset just after the `{` of the class body. */
  bodyOpen: number;
  /** Plain methods with a literal key: `key`, or `static key`. */
  methods: string[];
}

/** The global function the probe's static blocks call: (module key, class index, class). */
export const PROBE_CLASS_HOOK = "__kos_probe_class__";

export function indexEmittedClasses(js: string, esm: boolean): EmittedClass[] {
  const program = acorn.parse(js, { ecmaVersion: "latest", sourceType: esm ? "module" : "script", allowHashBang: true, allowReturnOutsideFunction: !esm });
  const found: Array<acorn.Class> = [];
  walk.full(program, (n) => {
    if (n.type === "ClassDeclaration" || n.type === "ClassExpression") found.push(n as acorn.Class);
  });
  found.sort((a, b) => a.start - b.start);
  return found.map((c) => ({
    bodyOpen: c.body.start + 1,
    methods: c.body.body.flatMap((m) => {
      if (m.type !== "MethodDefinition" || m.kind !== "method" || m.computed) return [];
      const key = m.key.type === "Identifier" ? m.key.name : m.key.type === "Literal" && typeof m.key.value === "string" ? m.key.value : null;
      return key === null ? [] : [`${m.static ? "static " : ""}${key}`];
    }),
  }));
}

/** The probe copy of `js`: every class reports itself to `globalThis[PROBE_CLASS_HOOK]` when created. */
export function withClassRegistration(js: string, esm: boolean, moduleKey: string): string {
  let out = js;
  const classes = indexEmittedClasses(js, esm);
  for (let i = classes.length - 1; i >= 0; i--) {
    const at = classes[i]!.bodyOpen;
    out = `${out.slice(0, at)} static { globalThis.${PROBE_CLASS_HOOK}?.(${stringLiteral(moduleKey)}, ${i}, this); }${out.slice(at)}`;
  }
  return out;
}
