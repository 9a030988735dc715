// The json-serializer fixture's generated code against fast-json-stringify, with one difference
// at a time edited into copies of the generated source (docs/notes/json-serializer-vs-fjs.md).
//
//   npm run build
//   flock /tmp/kos-bench.lock nice -n 19 node docs/notes/json-serializer-vs-fjs.mjs            # CPU medians, interleaved
//   node docs/notes/json-serializer-vs-fjs.mjs --one VARIANT W M                               # W + M batches of one variant, for
//   valgrind --tool=cachegrind --cache-sim=no --cachegrind-out-file=/dev/null \
//     node --predictable --hash-seed=1 --random-seed=1 docs/notes/json-serializer-vs-fjs.mjs --one VARIANT 1000 1000
//
// Instructions per call = (Ir(W, M) - Ir(W, 0)) / (M * 64). With --predictable (no concurrent
// compiler or GC threads, fixed seeds) the count repeats to the instruction between runs (9955.3
// and 9955.4 for `base`), where CPU time swings ±3% in one process and more between processes.
import { createRequire } from "node:module";
import { parse } from "acorn";
import { generate } from "astring";

const require = createRequire(import.meta.url);
const dist = new URL("../../dist/", import.meta.url).href;
const { jit, inspect } = await import(dist + "index.js");
const { makeRunner } = await import(dist + "fixtures/runner.js");
const { cpuNsPerCall } = await import(dist + "bench/harness.js");
const { quoteJsonString } = await import(dist + "compiler/json-quote.js");
const { ORDER_SCHEMA, makeArgs } = await import(dist + "fixtures/json-serializer/inputs.js");
const { serialize } = await import(dist + "fixtures/json-serializer/generic.js");

const BATCH = 64;
const batch = makeArgs(0xbe7c4, BATCH);
const baseSource = inspect(jit(serialize, { specialize: { schema: ORDER_SCHEMA } })).source;

const id = (name) => ({ type: "Identifier", name });
const isThrowIf = (s) => s.type === "IfStatement" && !s.alternate && s.consequent.body?.length === 1 && s.consequent.body[0].type === "ThrowStatement";
const testText = (s) => generate(s.test);

/** Every statement list in the tree, to edit in place. */
function lists(node, out = []) {
  if (!node || typeof node !== "object") return out;
  if (Array.isArray(node)) {
    node.forEach((n) => lists(n, out));
    return out;
  }
  if (node.type === "BlockStatement" || node.type === "Program") out.push(node.body);
  for (const k of Object.keys(node)) if (k !== "type") lists(node[k], out);
  return out;
}

/** The serializer's loops: `for (; i < a.length; i++) { if (i > 0) { out = out + ","; } ...body }`. */
function commaLoops(ast) {
  const found = [];
  for (const list of lists(ast)) {
    list.forEach((s, at) => {
      if (s.type !== "ForStatement" || s.init || s.test?.type !== "BinaryExpression") return;
      const first = s.body.body[0];
      if (!first || first.type !== "IfStatement" || testText(first) !== `${s.test.left.name} > 0`) return;
      found.push({ list, at, loop: s, index: s.test.left.name, length: s.test.right });
    });
  }
  return found;
}

const clone = (n) => structuredClone(n);
const edits = {
  base: () => {},
  /** Drops `typeof v !== "boolean"` (not exact: to time what the test costs). */
  nobool: (ast) => {
    for (const list of lists(ast)) for (let i = list.length - 1; i >= 0; i--) if (isThrowIf(list[i]) && /!== "boolean"$/.test(testText(list[i]))) list.splice(i, 1);
  },
  /** Drops `typeof v !== "object" || v === null` on nested values (not exact). */
  noobj: (ast) => {
    for (const list of lists(ast)) for (let i = list.length - 1; i >= 0; i--) if (isThrowIf(list[i]) && /!== "object" \|\| \w+ === null$/.test(testText(list[i])) && !testText(list[i]).startsWith("typeof value ")) list.splice(i, 1);
  },
  /** Reads `length` once before each loop (not exact when the body runs foreign code). */
  lenonce: (ast) => {
    for (const { list, at, loop, index, length } of commaLoops(ast).reverse()) {
      const len = `len_${index}`;
      list.splice(at, 0, { type: "VariableDeclaration", kind: "let", declarations: [{ type: "VariableDeclarator", id: id(len), init: clone(length) }] });
      loop.test.right = id(len);
    }
  },
  /** Peels the first iteration: `if (i < a.length) { body; for (i = 1; ...) { out += ","; body } }`. */
  peel: (ast) => {
    for (const { list, at, loop, index } of commaLoops(ast).reverse()) {
      const [comma, ...body] = loop.body.body;
      const rest = { ...loop, init: { type: "AssignmentExpression", operator: "=", left: id(index), right: { type: "Literal", value: 1 } }, body: { type: "BlockStatement", body: [...comma.consequent.body, ...clone(body)] } };
      list[at] = { type: "IfStatement", test: clone(loop.test), consequent: { type: "BlockStatement", body: [...body, rest] }, alternate: null };
    }
  },
  /** `if (v === void 0) throw A; if (T) throw B;` → `if (T) { if (v === void 0) throw A; throw B; }` where T holds for undefined (exact). */
  fold: (ast) => {
    for (const list of lists(ast)) {
      for (let i = list.length - 2; i >= 0; i--) {
        const [a, b] = [list[i], list[i + 1]];
        if (!isThrowIf(a) || !isThrowIf(b) || !/^\w+ === void 0$/.test(testText(a))) continue;
        list.splice(i, 2, { ...b, consequent: { type: "BlockStatement", body: [a, ...b.consequent.body] } });
      }
    }
  },
};
edits.peellen = (ast) => (edits.lenonce(ast), edits.peel(ast));
edits.all = (ast) => (edits.nobool(ast), edits.noobj(ast), edits.lenonce(ast), edits.peel(ast));

function variantSource(name) {
  const ast = parse(`(function () {${baseSource}\n})`, { ecmaVersion: "latest" });
  edits[name](ast);
  return `return ${generate(ast.body[0].expression)}.call(this)\n// ${name}`;
}

function variant(name) {
  if (name === "fjs") {
    const stringify = require("fast-json-stringify")(structuredClone(ORDER_SCHEMA));
    return (_schema, value) => stringify(value);
  }
  const make = new Function("$k_schema_0", "$k_deopt", "$k_apply_1", "$k_generic", "$k_quoteJsonString_3", variantSource(name));
  return make(ORDER_SCHEMA, () => {}, Reflect.apply, serialize, quoteJsonString)[0];
}

const argv = process.argv.slice(2);
if (argv[0] === "--print") {
  console.log(variantSource(argv[1]));
  const f = variant(argv[1]);
  for (const args of batch) if (f(...args) !== serialize(...args)) throw new Error(`${argv[1]}: output differs`);
} else if (argv[0] === "--one") {
  const run = makeRunner(variant(argv[1]), batch);
  for (let i = 0; i < +argv[2] + +argv[3]; i++) run();
} else {
  const names = argv.length ? argv : ["base", "nobool", "noobj", "lenonce", "peel", "peellen", "fold", "all", "fjs"];
  const runs = {};
  for (const n of names) {
    const f = variant(n);
    for (const args of batch) if (f(...args) !== serialize(...args)) throw new Error(`${n}: output differs`);
    runs[n] = makeRunner(f, batch);
    for (let i = 0; i < 2000; i++) runs[n]();
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < 15; r++) for (const n of r % 2 ? [...names].reverse() : names) samples[n].push(cpuNsPerCall(runs[n], BATCH));
  const median = (a) => [...a].sort((x, y) => x - y)[a.length >> 1];
  for (const n of names) console.log(`${n.padEnd(8)} ${median(samples[n]).toFixed(1).padStart(7)} ns CPU  ${(median(samples[names[0]]) / median(samples[n])).toFixed(3)}× ${names[0]}'s speed`);
}
