/**
 * kos's own frames in a profile. The entry that `jit()` returns
 * (`kos://entry.js`) and the links of its guard chain are plumbing: they are
 * removed from `.cpuprofile` trees before analysis and drawing, so the
 * caller's frame sits directly above the function it called, and kos's
 * wrapper never ranks among the hot functions. Their few samples go to the
 * caller. Compiled versions (`kos://<name>.js`) stay: they are the user's
 * functions, under their own names.
 */
import type { CpuProfile, CpuProfileNode } from "./cpuprofile.js";

/** URL of the entry functions kos makes. */
export const KOS_ENTRY_URL = "kos://entry.js";

export function isKosPlumbing(url: string, name: string): boolean {
  return url === KOS_ENTRY_URL || (url.includes("/compiler/dispatcher.") && (name === "entry" || name === "fn" || name === "construct"));
}

/** A copy of `profile` without kos's plumbing frames (children move up, samples go to the parent). */
export function dropKosPlumbing(profile: CpuProfile): CpuProfile {
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const dropped = new Set(profile.nodes.filter((n) => isKosPlumbing(n.callFrame.url, n.callFrame.functionName) && parent.has(n.id)).map((n) => n.id));
  if (dropped.size === 0) return profile;
  const keptAncestor = (id: number): number => {
    let cur = id;
    while (dropped.has(cur)) cur = parent.get(cur)!;
    return cur;
  };
  const nodes: CpuProfileNode[] = [];
  const copies = new Map<number, CpuProfileNode>();
  for (const n of profile.nodes) {
    if (dropped.has(n.id)) continue;
    const copy: CpuProfileNode = { ...n, children: [] };
    copies.set(n.id, copy);
    nodes.push(copy);
  }
  for (const n of profile.nodes) {
    const p = parent.get(n.id);
    if (p === undefined) continue;
    const target = copies.get(keptAncestor(p))!;
    if (dropped.has(n.id)) {
      if (n.hitCount) target.hitCount = (target.hitCount ?? 0) + n.hitCount;
    } else {
      target.children!.push(n.id);
    }
  }
  const out: CpuProfile = { ...profile, nodes };
  if (profile.samples) out.samples = profile.samples.map((id) => keptAncestor(id));
  return out;
}
