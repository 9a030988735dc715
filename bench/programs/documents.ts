/**
 * A documents API: each request's document is validated with jsonschema
 * against a module-level schema, two fields are read with object-path and
 * jsonpointer, a total is computed, and a handlebars template renders the
 * answer. The service's handlers are wrapped in jit() as a user would. Unlike
 * the rules service, the configuration is not frozen and two handlers take no
 * constant argument at all: their program (the schema, the compiled
 * template) sits in their closure.
 */
import { createRequire } from "node:module";
import { report, wrap } from "./mode.js";

const require = createRequire(import.meta.url);
const jsonschema = require("jsonschema") as { validate(doc: unknown, schema: object): { valid: boolean } };
const objectPath = require("object-path") as { get(obj: unknown, path: string, dflt?: unknown): unknown };
const jsonpointer = require("jsonpointer") as { get(obj: unknown, pointer: string): unknown };
const Handlebars = require("handlebars") as { compile(t: string): (ctx: unknown) => string };

interface Doc { id: unknown; user: { name: string; age: number }; lines: Array<{ q: number; p: number }> }

const SCHEMA = {
  type: "object",
  required: ["id", "user", "lines"],
  properties: {
    id: { type: "string", minLength: 4 },
    user: { type: "object", required: ["name"], properties: { name: { type: "string" }, age: { type: "integer", minimum: 0 } } },
    lines: { type: "array", items: { type: "object", required: ["q", "p"], properties: { q: { type: "integer", minimum: 1 }, p: { type: "number" } } } },
  },
};
const template = Handlebars.compile("Order {{id}} for {{user.name}}: {{#each lines}}{{q}}x{{p}} {{/each}}total {{total}}");

// The service's handlers.
function validate(doc: Doc): boolean {
  return jsonschema.validate(doc, SCHEMA).valid;
}
function field(doc: Doc, path: string): unknown {
  return objectPath.get(doc, path, null);
}
function pointer(doc: Doc, p: string): unknown {
  return jsonpointer.get(doc, p);
}
function total(lines: Doc["lines"], tax: number): number {
  let t = 0;
  for (let i = 0; i < lines.length; i++) t += lines[i]!.q * lines[i]!.p;
  return Math.round(t * (1 + tax) * 100) / 100;
}
function render(doc: Doc, t: number): string {
  return template({ ...doc, total: t });
}

const validateK = wrap(validate, { specialize: {} });
const fieldK = wrap(field, { specialize: { path: "user.name" } });
const pointerK = wrap(pointer, { specialize: { p: "/lines/0/q" } });
const totalK = wrap(total, { specialize: { tax: 0.19 } });
const renderK = wrap(render, { specialize: {} });

function makeDocs(n: number): Doc[] {
  let seed = 7;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  return Array.from({ length: n }, (_, i) => ({
    id: rnd() < 0.05 ? 3 : `ord${i}`,
    user: { name: ["ann", "bob"][i & 1]!, age: rnd() < 0.05 ? -1 : 30 },
    lines: Array.from({ length: 1 + (i % 4) }, () => ({ q: 1 + Math.floor(rnd() * 3), p: Math.floor(rnd() * 100) / 4 })),
  }));
}

const docs = makeDocs(2000);
const rounds = Number(process.argv[2] ?? 8);

report(() => {
  let out = 0;
  for (let r = 0; r < rounds; r++) {
    for (const d of docs) {
      if (!validateK(d)) continue;
      const name = fieldK(d, "user.name") as string;
      const q = pointerK(d, "/lines/0/q") as number;
      out += renderK(d, totalK(d.lines, 0.19)).length + name.length + q;
    }
  }
  return out;
});
