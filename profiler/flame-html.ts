/**
 * A self-contained flamegraph page drawn from a `.cpuprofile`, in place of
 * 0x's: 0x logs code made by `new Function` without its sourceURL and files
 * it under "native", hidden by default, so kos's compiled functions showed
 * as gaps. Here every frame keeps its name and URL, compiled functions
 * (`kos://…`) are drawn in their own colour and listed above the graph, and
 * nothing is hidden by default. Click a frame to zoom, click the root to
 * reset; hover for name, file:line and share.
 *
 * The profile enters the page as JSON inside a `<script type="application/json">`
 * element, with `<` escaped, and is read with JSON.parse: no profile text
 * becomes script source.
 */
import type { CpuProfile } from "./cpuprofile.js";
import { selfSamplesByNode } from "./cpuprofile.js";

interface FlameNode {
  n: string; // name
  u: string; // url:line
  v: number; // total samples
  s: number; // self samples
  k: 0 | 1 | 2 | 3; // 0 user, 1 kos-compiled, 2 node internals / deps, 3 VM
  c: FlameNode[];
}

function kindOf(name: string, url: string): FlameNode["k"] {
  if (url.startsWith("kos://")) return 1;
  if (!url) return 3;
  if (url.startsWith("node:") || url.includes("/node_modules/")) return 2;
  return 0;
}

/** The call tree of `profile` with identical frames under one parent merged, `(idle)` left out. */
export function flameTree(profile: CpuProfile, rootName = "all"): FlameNode {
  const self = selfSamplesByNode(profile);
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const children = new Set(profile.nodes.flatMap((n) => n.children ?? []));
  const root: FlameNode = { n: rootName, u: "", v: 0, s: 0, k: 3, c: [] };
  const build = (id: number, into: FlameNode): number => {
    const node = byId.get(id)!;
    const cf = node.callFrame;
    if (cf.functionName === "(idle)" || cf.functionName === "(program)") return 0;
    const name = cf.functionName || "(anonymous)";
    const where = cf.url ? `${cf.url}:${cf.lineNumber + 1}` : "";
    let mine = into.c.find((c) => c.n === name && c.u === where);
    if (!mine) {
      mine = { n: name, u: where, v: 0, s: 0, k: kindOf(name, cf.url), c: [] };
      into.c.push(mine);
    }
    const own = self.get(id) ?? 0;
    mine.s += own;
    let total = own;
    for (const c of node.children ?? []) total += build(c, mine);
    mine.v += total;
    return total;
  };
  for (const n of profile.nodes) {
    if (children.has(n.id)) continue;
    // The profile's own (root) node: its children are the top frames.
    for (const c of n.children ?? []) root.v += build(c, root);
  }
  const prune = (f: FlameNode) => {
    f.c = f.c.filter((c) => c.v > 0).sort((a, b) => b.v - a.v);
    f.c.forEach(prune);
  };
  prune(root);
  return root;
}

/** Compiled functions (kos://) in the tree, with their total share. */
export function compiledFunctions(root: FlameNode): Array<{ name: string; url: string; percent: number }> {
  const totals = new Map<string, { name: string; url: string; v: number }>();
  const walk = (f: FlameNode, inside: Set<string>) => {
    let next = inside;
    if (f.k === 1) {
      const key = `${f.n} ${f.u}`;
      if (!inside.has(key)) {
        const t = totals.get(key) ?? { name: f.n, url: f.u, v: 0 };
        t.v += f.v;
        totals.set(key, t);
        next = new Set(inside).add(key);
      }
    }
    f.c.forEach((c) => walk(c, next));
  };
  walk(root, new Set());
  return [...totals.values()].sort((a, b) => b.v - a.v).map((t) => ({ name: t.name, url: t.url, percent: root.v ? (100 * t.v) / root.v : 0 }));
}

const PAGE_SCRIPT = `
const data = JSON.parse(document.getElementById("flame-data").textContent);
const root = data.tree;
const graph = document.getElementById("graph");
const tip = document.getElementById("tip");
const ROW = 18;
const colours = ["#e8833a", "#3a7be8", "#9aa3ad", "#c9ccd1"];
let focus = root;
function depthOf(f) { return 1 + Math.max(0, ...f.c.map(depthOf)); }
function draw() {
  graph.textContent = "";
  const width = graph.clientWidth;
  const rows = depthOf(focus);
  graph.style.height = rows * ROW + "px";
  const place = (f, x, w, d) => {
    const compiled = f.k === 1;
    if (w < 0.5 && !compiled) return;
    const el = document.createElement("div");
    el.className = "fr";
    el.style.left = x + "px";
    el.style.top = d * ROW + "px";
    el.style.width = Math.max(compiled ? 2 : 0, w - 1) + "px";
    el.style.background = colours[f.k];
    if (w > 30) el.textContent = f.n;
    el.onmousemove = (e) => {
      tip.style.display = "block";
      tip.style.left = e.pageX + 12 + "px";
      tip.style.top = e.pageY + 12 + "px";
      tip.textContent = f.n + (f.u ? "  " + f.u : "") + "\\n" + (100 * f.v / root.v).toFixed(2) + "% total, " + (100 * f.s / root.v).toFixed(2) + "% self, " + f.v + " samples";
    };
    el.onmouseleave = () => { tip.style.display = "none"; };
    el.onclick = () => { focus = f === focus ? root : f; draw(); };
    graph.appendChild(el);
    let cx = x;
    for (const c of f.c) {
      const cw = w * c.v / f.v;
      place(c, cx, cw, d + 1);
      cx += cw;
    }
  };
  place(focus, 0, width, 0);
}
const list = document.getElementById("compiled");
if (data.compiled.length === 0) list.textContent = "none sampled";
for (const c of data.compiled) {
  const li = document.createElement("li");
  li.textContent = c.name + "  " + c.url + "  " + c.percent.toFixed(1) + "%";
  list.appendChild(li);
}
window.onresize = draw;
draw();
`;

/** The flamegraph page for `profile`. */
export function flamegraphHtml(profile: CpuProfile, title: string): string {
  const tree = flameTree(profile);
  const data = JSON.stringify({ tree, compiled: compiledFunctions(tree) }).replace(/</g, "\\u003c");
  const esc = (s: string) => s.replace(/[&<>"]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" })[c]!);
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>
body { font: 12px system-ui, sans-serif; margin: 12px; }
#graph { position: relative; width: 100%; }
.fr { position: absolute; height: 16px; line-height: 16px; overflow: hidden; white-space: nowrap; color: #111; padding-left: 2px; box-sizing: border-box; cursor: pointer; border-radius: 2px; }
#tip { position: absolute; display: none; background: #222; color: #fff; padding: 4px 6px; white-space: pre; border-radius: 3px; pointer-events: none; z-index: 2; }
.key span { display: inline-block; width: 10px; height: 10px; margin: 0 4px 0 12px; }
</style></head>
<body>
<h3>${esc(title)}</h3>
<div class="key"><span style="background:#e8833a"></span>program<span style="background:#3a7be8"></span>compiled by kos (kos://)<span style="background:#9aa3ad"></span>node internals and dependencies<span style="background:#c9ccd1"></span>VM</div>
<p>Compiled by kos, share of samples:</p><ul id="compiled"></ul>
<div id="graph"></div><div id="tip"></div>
<script type="application/json" id="flame-data">${data}</script>
<script>${PAGE_SCRIPT}</script>
</body></html>
`;
}
