/**
 * The small language of values `kos build` accepts where it must know a
 * value at build time: `@kos.specialize n=4` tags and the `specialize`
 * object of `jit(fn, { specialize: {...} })` call sites.
 *
 * It is literals (numbers, strings, bigints, booleans, null, undefined, NaN,
 * ±Infinity, -0, arrays and objects of them) and module-level constants,
 * optionally with property reads (`SCHEMA.properties.name`). Anything else
 * (a call, a local variable, `this`) is not known at build time and is
 * rejected with the reason.
 */
import { ts } from "ts-morph";

export type ConstExpr =
  | { kind: "literal"; value: unknown }
  | { kind: "binding"; name: string; path: string[] }
  | { kind: "array"; items: ConstExpr[] }
  | { kind: "object"; entries: Array<[string, ConstExpr]> }
  | { kind: "invalid"; reason: string };

/** Parses annotation text such as `4`, `"a"`, `[1, 2]` or `COEFFS` into a ConstExpr. */
export function parseConstText(text: string): ConstExpr {
  const sf = ts.createSourceFile("annotation.ts", `(${text}\n);`, ts.ScriptTarget.ES2022, false);
  const stmt = sf.statements[0];
  if (sf.statements.length !== 1 || !stmt || !ts.isExpressionStatement(stmt) || (sf as unknown as { parseDiagnostics: unknown[] }).parseDiagnostics?.length) {
    return { kind: "invalid", reason: `\`${text}\` is not a literal` };
  }
  return fromTsExpression(stmt.expression);
}

/** Converts a TypeScript expression node (from ts-morph's `compilerNode`) into a ConstExpr. */
export function fromTsExpression(e: ts.Expression): ConstExpr {
  while (ts.isParenthesizedExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) {
    e = e.expression;
  }
  if (ts.isNumericLiteral(e)) return { kind: "literal", value: Number(e.text) };
  if (ts.isBigIntLiteral(e)) return { kind: "literal", value: BigInt(e.text.slice(0, -1)) };
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return { kind: "literal", value: e.text };
  switch (e.kind) {
    case ts.SyntaxKind.TrueKeyword: return { kind: "literal", value: true };
    case ts.SyntaxKind.FalseKeyword: return { kind: "literal", value: false };
    case ts.SyntaxKind.NullKeyword: return { kind: "literal", value: null };
  }
  if (ts.isPrefixUnaryExpression(e) && (e.operator === ts.SyntaxKind.MinusToken || e.operator === ts.SyntaxKind.PlusToken)) {
    const inner = fromTsExpression(e.operand);
    if (inner.kind === "literal" && (typeof inner.value === "number" || typeof inner.value === "bigint")) {
      if (e.operator === ts.SyntaxKind.PlusToken) return typeof inner.value === "number" ? inner : { kind: "invalid", reason: "unary + on a bigint" };
      return { kind: "literal", value: -(inner.value as number) };
    }
    return { kind: "invalid", reason: `\`${e.getText?.() ?? "expression"}\` is not a literal` };
  }
  if (ts.isIdentifier(e)) {
    if (e.text === "undefined") return { kind: "literal", value: undefined };
    if (e.text === "NaN") return { kind: "literal", value: NaN };
    if (e.text === "Infinity") return { kind: "literal", value: Infinity };
    return { kind: "binding", name: e.text, path: [] };
  }
  if (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    const base = fromTsExpression(e.expression);
    let key: string | null = null;
    if (ts.isPropertyAccessExpression(e)) key = e.name.text;
    else if (ts.isStringLiteral(e.argumentExpression) || ts.isNumericLiteral(e.argumentExpression)) key = e.argumentExpression.text;
    if (base.kind === "binding" && key !== null) return { kind: "binding", name: base.name, path: [...base.path, key] };
    return { kind: "invalid", reason: "only property reads from module-level constants are allowed" };
  }
  if (ts.isArrayLiteralExpression(e)) {
    const items: ConstExpr[] = [];
    for (const it of e.elements) {
      if (ts.isSpreadElement(it) || ts.isOmittedExpression(it)) return { kind: "invalid", reason: "spreads and holes are not supported" };
      const c = fromTsExpression(it);
      if (c.kind === "invalid") return c;
      items.push(c);
    }
    return { kind: "array", items };
  }
  if (ts.isObjectLiteralExpression(e)) {
    const entries: Array<[string, ConstExpr]> = [];
    for (const p of e.properties) {
      if (ts.isPropertyAssignment(p) && (ts.isIdentifier(p.name) || ts.isStringLiteral(p.name) || ts.isNumericLiteral(p.name))) {
        const c = fromTsExpression(p.initializer);
        if (c.kind === "invalid") return c;
        entries.push([p.name.text, c]);
      } else if (ts.isShorthandPropertyAssignment(p)) {
        entries.push([p.name.text, { kind: "binding", name: p.name.text, path: [] }]);
      } else {
        return { kind: "invalid", reason: "only plain `key: value` properties are supported" };
      }
    }
    return { kind: "object", entries };
  }
  return { kind: "invalid", reason: `a ${ts.SyntaxKind[e.kind]} is not known at build time` };
}

/** Module-level bindings that hold constants, by name, as loaded at build time. */
export type ConstantLookup = (name: string) => { found: true; value: unknown } | { found: false; reason: string };

/** Evaluates a ConstExpr; `{ ok: false }` names what could not be resolved. */
export function evaluateConst(c: ConstExpr, lookup: ConstantLookup): { ok: true; value: unknown } | { ok: false; reason: string } {
  switch (c.kind) {
    case "literal": return { ok: true, value: c.value };
    case "invalid": return { ok: false, reason: c.reason };
    case "binding": {
      const b = lookup(c.name);
      if (!b.found) return { ok: false, reason: b.reason };
      let v = b.value;
      for (const k of c.path) {
        if (v === null || (typeof v !== "object" && typeof v !== "function")) return { ok: false, reason: `${c.name}.${c.path.join(".")} reads a property of a primitive` };
        const d = Object.getOwnPropertyDescriptor(v, k);
        if (!d || !("value" in d)) return { ok: false, reason: `${c.name}.${c.path.join(".")} is not a data property` };
        v = d.value;
      }
      return { ok: true, value: v };
    }
    case "array": {
      const out: unknown[] = [];
      for (const it of c.items) {
        const r = evaluateConst(it, lookup);
        if (!r.ok) return r;
        out.push(r.value);
      }
      return { ok: true, value: out };
    }
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, it] of c.entries) {
        const r = evaluateConst(it, lookup);
        if (!r.ok) return r;
        out[k] = r.value;
      }
      return { ok: true, value: out };
    }
  }
}

/** The module-level names a ConstExpr reads. */
export function bindingNames(c: ConstExpr): string[] {
  switch (c.kind) {
    case "binding": return [c.name];
    case "array": return c.items.flatMap(bindingNames);
    case "object": return c.entries.flatMap(([, v]) => bindingNames(v));
    default: return [];
  }
}
