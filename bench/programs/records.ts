/**
 * A CSV report, a short script (about 0.2 s): a reader class splits each line
 * by its delimiter and quote settings into a record keyed by the header,
 * a summary class folds records into groups through key and value closures
 * the script builds from its report spec, and a formatter renders the rows.
 * The hot functions are methods, wrapped in jit() on the prototype as a user
 * would, so their receivers are class instances; the rest are closures.
 */
import { report, wrap } from "./mode.js";

type Rec = Record<string, string>;

class CsvReader {
  constructor(readonly header: string[], readonly delimiter: string, readonly quote: string) {}
  parse(line: string): Rec {
    const out: Rec = {};
    let field = 0, start = 0, inQuote = false, value = "";
    for (let i = 0; i <= line.length; i++) {
      const c = i < line.length ? line[i]! : this.delimiter;
      if (c === this.quote) inQuote = !inQuote;
      else if (c === this.delimiter && !inQuote) {
        value += line.slice(start, i);
        out[this.header[field++]!] = value;
        value = "";
        start = i + 1;
      } else continue;
      if (c === this.quote) { value += line.slice(start, i); start = i + 1; }
    }
    return out;
  }
}

interface Group { count: number; sum: number; min: number; max: number }

class Summary {
  readonly groups = new Map<string, Group>();
  constructor(readonly key: (r: Rec) => string, readonly value: (r: Rec) => number) {}
  add(r: Rec): void {
    const k = this.key(r);
    const v = this.value(r);
    let g = this.groups.get(k);
    if (!g) this.groups.set(k, (g = { count: 0, sum: 0, min: Infinity, max: -Infinity }));
    g.count++;
    g.sum += v;
    if (v < g.min) g.min = v;
    if (v > g.max) g.max = v;
  }
}

function formatRow(cols: string[], name: string, g: Group, digits: number): string {
  const cells: string[] = [];
  for (const c of cols) {
    const v = c === "name" ? name : c === "count" ? g.count : c === "mean" ? g.sum / g.count : c === "min" ? g.min : g.max;
    cells.push(typeof v === "number" ? v.toFixed(digits) : v);
  }
  return cells.join(" | ");
}

CsvReader.prototype.parse = wrap(CsvReader.prototype.parse, { specialize: {} });
Summary.prototype.add = wrap(Summary.prototype.add, { specialize: {} });
const formatRowK = wrap(formatRow, { specialize: { digits: 2 } });

const SPEC = { groupBy: ["region", "product"], measure: "amount", columns: ["name", "count", "mean", "min", "max"] };
const HEADER = ["date", "region", "product", "customer", "amount", "note"];

function makeCsv(n: number): string[] {
  let seed = 31337;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  const regions = ["north", "south", "east", "west"];
  const products = ["widget", "gadget", "gizmo", "doohickey", "sprocket"];
  return Array.from({ length: n }, (_, i) => `2026-${1 + (i % 12)}-${1 + (i % 28)},${regions[Math.floor(rnd() * 4)]},${products[Math.floor(rnd() * 5)]},c${Math.floor(rnd() * 900)},${(rnd() * 500).toFixed(2)},${rnd() < 0.1 ? '"rush, gift"' : "none"}`);
}

const lines = makeCsv(Number(process.argv[2] ?? 100000));

report(() => {
  const reader = new CsvReader(HEADER, ",", '"');
  const key = (r: Rec) => SPEC.groupBy.map((k) => r[k]).join("/");
  const value = (r: Rec) => Number(r[SPEC.measure]);
  const total = new Summary(() => "all", value);
  const byGroup = new Summary(key, value);
  const byCustomer = new Summary((r) => r.customer!, value);
  for (const line of lines) {
    const r = reader.parse(line);
    total.add(r);
    byGroup.add(r);
    byCustomer.add(r);
  }
  let chars = 0;
  for (const s of [total, byGroup, byCustomer]) for (const [name, g] of s.groups) chars += formatRowK(SPEC.columns, name, g, 2).length;
  return chars + byCustomer.groups.size + Math.round(total.groups.get("all")!.sum);
});
