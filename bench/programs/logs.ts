/**
 * An access-log report, the short script an operator runs over a day's HTTP
 * log: each line is split into its fields, its path matched against a route
 * table of picomatch globs, its query string parsed with qs, its client's
 * version checked with semver against the supported range, and its latency
 * put in a histogram bucket. The hot functions are the script's own, wrapped
 * in jit() as a user would; its configuration (routes, buckets, the range) is
 * a plain object, not frozen, and the whole run is a few hundred ms.
 */
import { createRequire } from "node:module";
import { report, wrap } from "./mode.js";

const require = createRequire(import.meta.url);
const picomatch = require("picomatch") as (glob: string) => (s: string) => boolean;
const qs = require("qs") as { parse(s: string, o?: object): Record<string, unknown> };
const semver = require("semver") as { satisfies(v: string, range: string): boolean };

interface Entry { ip: string; method: string; path: string; query: string; status: number; bytes: number; ms: number; agent: string }
interface Route { name: string; test: (p: string) => boolean }

const CONFIG = {
  routes: [
    ["users", "/api/v1/users/*"],
    ["user-orders", "/api/v1/users/*/orders/**"],
    ["search", "/api/v1/search"],
    ["assets", "/static/**/*.{js,css,png}"],
    ["health", "/healthz"],
  ] as Array<[string, string]>,
  buckets: [5, 10, 25, 50, 100, 250, 500, 1000],
  supported: ">=2.4.0 <4",
};
const ROUTES: Route[] = CONFIG.routes.map(([name, glob]) => ({ name, test: picomatch(glob) }));

// The script's functions.
function parseLine(line: string): Entry {
  // 10.0.0.7 GET /api/v1/search?q=x&page=2 200 5123 37.5 "app/2.7.1"
  const f = line.split(" ");
  const url = f[2]!;
  const q = url.indexOf("?");
  return { ip: f[0]!, method: f[1]!, path: q < 0 ? url : url.slice(0, q), query: q < 0 ? "" : url.slice(q + 1), status: +f[3]!, bytes: +f[4]!, ms: +f[5]!, agent: f[6]!.slice(1, -1) };
}
function routeOf(routes: Route[], path: string): string {
  for (let i = 0; i < routes.length; i++) if (routes[i]!.test(path)) return routes[i]!.name;
  return "other";
}
function bucketOf(bounds: number[], ms: number): number {
  let i = 0;
  while (i < bounds.length && ms > bounds[i]!) i++;
  return i;
}
function clientOk(range: string, agent: string): boolean {
  const slash = agent.indexOf("/");
  return slash > 0 && semver.satisfies(agent.slice(slash + 1), range);
}
function queryOf(query: string): Record<string, unknown> {
  return qs.parse(query, { arrayLimit: 20 });
}

const parseLineK = wrap(parseLine, { specialize: {} });
const routeOfK = wrap(routeOf, { specialize: { routes: ROUTES } });
const bucketOfK = wrap(bucketOf, { specialize: { bounds: CONFIG.buckets } });
const clientOkK = wrap(clientOk, { specialize: { range: CONFIG.supported } });
const queryOfK = wrap(queryOf, { specialize: {} });

function makeLog(n: number): string[] {
  let seed = 99;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)]!;
  const paths = ["/api/v1/users/17", "/api/v1/users/4/orders/2026/11", "/api/v1/search", "/static/app/main.js", "/static/img/logo.png", "/healthz", "/favicon.ico", "/api/v2/items"];
  const queries = ["", "", "q=shoes&page=2", "q=red+hat&sort=price&dir=asc", "ids[]=1&ids[]=2&ids[]=3", "filter[brand]=acme&filter[size]=m"];
  const agents = ["app/2.7.1", "app/3.0.0-beta.2", "app/2.3.9", "web/1.0.0", "app/3.9.12", "curl/8.4.0"];
  return Array.from({ length: n }, (_, i) => {
    const q = pick(queries);
    return `10.0.${i & 255}.${Math.floor(rnd() * 255)} ${pick(["GET", "GET", "POST"])} ${pick(paths)}${q ? "?" + q : ""} ${pick([200, 200, 200, 304, 404, 500])} ${Math.floor(rnd() * 60000)} ${(rnd() * rnd() * 1500).toFixed(1)} "${pick(agents)}"`;
  });
}

const lines = makeLog(Number(process.argv[2] ?? 40000));

report(() => {
  const byRoute = new Map<string, { count: number; bytes: number; errors: number; hist: number[]; outdated: number; params: number }>();
  for (const line of lines) {
    const e = parseLineK(line);
    const route = routeOfK(ROUTES, e.path);
    let s = byRoute.get(route);
    if (!s) byRoute.set(route, (s = { count: 0, bytes: 0, errors: 0, hist: new Array(CONFIG.buckets.length + 1).fill(0), outdated: 0, params: 0 }));
    s.count++;
    s.bytes += e.bytes;
    if (e.status >= 500) s.errors++;
    s.hist[bucketOfK(CONFIG.buckets, e.ms)]!++;
    if (!clientOkK(CONFIG.supported, e.agent)) s.outdated++;
    if (e.query) s.params += Object.keys(queryOfK(e.query)).length;
  }
  let check = 0;
  for (const [name, s] of byRoute) check += name.length * 1e6 + s.count + s.bytes / 1e3 + s.errors * 7 + s.outdated * 13 + s.params * 3 + s.hist.reduce((a, b, i) => a + b * i, 0);
  return Math.round(check);
});
