// A program kos did not write, for `kos profile`: ajv (a popular JSON-schema
// validator) compiles a few schemas and validates many generated objects.
import Ajv from "ajv";

const ajv = new Ajv({ allErrors: true });
const order = {
  type: "object",
  required: ["id", "customer", "items", "total"],
  properties: {
    id: { type: "integer", minimum: 1 },
    customer: {
      type: "object",
      required: ["name", "email"],
      properties: { name: { type: "string", minLength: 1 }, email: { type: "string", pattern: "^[^@]+@[^@]+$" }, vip: { type: "boolean" } },
    },
    items: {
      type: "array",
      minItems: 1,
      items: { type: "object", required: ["sku", "qty", "price"], properties: { sku: { type: "string" }, qty: { type: "integer", minimum: 1 }, price: { type: "number", minimum: 0 } } },
    },
    total: { type: "number" },
    tags: { type: "array", items: { enum: ["gift", "express", "fragile", "bulk"] } },
  },
};
const validate = ajv.compile(order);

function makeOrder(i) {
  const items = [];
  for (let k = 0; k < 1 + (i % 5); k++) items.push({ sku: `SKU-${i}-${k}`, qty: 1 + (k % 3), price: (i * 7 + k) % 100 });
  return {
    id: i % 97 === 0 ? -1 : i + 1, // every 97th is invalid
    customer: { name: `c${i}`, email: i % 89 === 0 ? "broken" : `c${i}@example.com`, vip: i % 2 === 0 },
    items,
    total: items.reduce((s, it) => s + it.qty * it.price, 0),
    tags: i % 3 === 0 ? ["gift", "express"] : ["bulk"],
  };
}

let valid = 0;
let errors = 0;
for (let round = 0; round < 6; round++) {
  for (let i = 0; i < 60_000; i++) {
    if (validate(makeOrder(i))) valid++;
    else errors += validate.errors.length;
  }
}
console.log(`valid ${valid}, errors ${errors}`);
