/**
 * A rules service: each request is checked against json-logic eligibility
 * rules, matched against a sift (Mongo-style) query, and answered through a
 * mustache template, with the service's own handler functions wrapped in
 * jit() as a user would. The rules, query and template are constant
 * configuration (deep-frozen).
 */
import { createRequire } from "node:module";
import { report, wrap } from "./mode.js";

// The libraries as a service loads them (CommonJS; no type declarations needed here).
const require = createRequire(import.meta.url);
const jsonLogic = require("json-logic-js") as { apply(logic: object, data: object): unknown };
const siftModule = require("sift") as { default?: (q: object) => (doc: object) => boolean } & ((q: object) => (doc: object) => boolean);
const sift = siftModule.default ?? siftModule;
const Mustache = require("mustache") as { render(template: string, view: object): string };

interface Request { user: { age: number; country: string; tier: string; spend: number }; items: Array<{ sku: string; price: number; qty: number }>; channel: string }

function deepFreeze<T>(o: T): T {
  if (o && typeof o === "object" && !Object.isFrozen(o)) {
    for (const v of Object.values(o)) deepFreeze(v);
    Object.freeze(o);
  }
  return o;
}

const RULES = deepFreeze({
  and: [{ ">=": [{ var: "user.age" }, 18] }, { in: [{ var: "user.country" }, ["DE", "FR", "NL", "SE"]] }, { or: [{ "==": [{ var: "user.tier" }, "gold"] }, { ">": [{ var: "user.spend" }, 250] }] }],
});
const QUERY = deepFreeze({ channel: { $in: ["web", "app"] }, "items.price": { $gt: 20 } });
const TEMPLATE = "Hello {{user.country}} customer, your {{items.length}} item(s) qualify: {{#items}}{{sku}}×{{qty}} {{/items}}";

// The service's handlers: generic over their configuration.
function eligible(rules: object, req: Request): boolean {
  return jsonLogic.apply(rules, req) === true;
}
function total(items: Request["items"], rate: number): number {
  let t = 0;
  for (let i = 0; i < items.length; i++) t += items[i]!.price * items[i]!.qty;
  return Math.round(t * rate * 100) / 100;
}
function render(template: string, view: object): string {
  return Mustache.render(template, view);
}

const matches = sift(QUERY);
const eligibleK = wrap(eligible, { specialize: { rules: RULES }, scope: { jsonLogic } });
const totalK = wrap(total, { specialize: { rate: 1.19 } });
const renderK = wrap(render, { specialize: { template: TEMPLATE }, scope: { Mustache } });

function makeRequests(n: number): Request[] {
  let seed = 12345;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const countries = ["DE", "FR", "US", "NL", "SE", "JP"];
  return Array.from({ length: n }, () => ({
    user: { age: 14 + Math.floor(rnd() * 60), country: countries[Math.floor(rnd() * countries.length)]!, tier: rnd() < 0.3 ? "gold" : "basic", spend: Math.floor(rnd() * 500) },
    items: Array.from({ length: 1 + Math.floor(rnd() * 4) }, (_, i) => ({ sku: `SKU${i}${Math.floor(rnd() * 100)}`, price: Math.floor(rnd() * 80) + 1, qty: 1 + Math.floor(rnd() * 3) })),
    channel: ["web", "app", "store"][Math.floor(rnd() * 3)]!,
  }));
}

const requests = makeRequests(2000);
const rounds = Number(process.argv[2] ?? 25);

report(() => {
  let accepted = 0;
  let revenue = 0;
  let chars = 0;
  for (let r = 0; r < rounds; r++) {
    for (const req of requests) {
      if (!eligibleK(RULES, req) || !matches(req)) continue;
      accepted++;
      revenue += totalK(req.items, 1.19);
      chars += renderK(TEMPLATE, req).length;
    }
  }
  return accepted * 1e6 + Math.round(revenue) + chars;
});
