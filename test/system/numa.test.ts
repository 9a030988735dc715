import { afterEach, describe, expect, test } from "vitest";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isAffinitySupported, onlineCpus, setProcessAffinity } from "../../runtime/affinity.js";
import { bindToNumaNode, numaTopology } from "../../runtime/numa.js";
import { procCpusAllowed } from "./helpers.js";

const original = procCpusAllowed("self");
afterEach(() => {
  if (isAffinitySupported()) setProcessAffinity(original);
});

describe("numaTopology", () => {
  test("reads this machine's nodes; together they hold every online CPU", () => {
    const topo = numaTopology();
    expect(topo.nodes.length).toBeGreaterThan(0);
    const all = topo.nodes.flatMap((n) => n.cpus).sort((a, b) => a - b);
    expect(all).toEqual(onlineCpus());
    for (const node of topo.nodes) {
      expect(node.distances).toHaveLength(topo.nodes.length);
      expect(node.distances[topo.nodes.indexOf(node)]).toBe(10);
      if (topo.source === "sysfs") expect(node.memoryTotalBytes).toBeGreaterThan(0);
    }
  });

  test("parses a two-node sysfs tree (fixture)", () => {
    const root = mkdtempSync(join(tmpdir(), "kos-numa-"));
    try {
      const node = (id: number, cpus: string, dist: string, kb: number) => {
        mkdirSync(join(root, `node${id}`));
        writeFileSync(join(root, `node${id}`, "cpulist"), `${cpus}\n`);
        writeFileSync(join(root, `node${id}`, "distance"), `${dist}\n`);
        writeFileSync(join(root, `node${id}`, "meminfo"), `Node ${id} MemTotal:  ${kb} kB\nNode ${id} MemFree:  ${kb / 2} kB\n`);
      };
      node(0, "0-3", "10 21", 1024);
      node(1, "4-7", "21 10", 2048);
      writeFileSync(join(root, "online"), "0-1\n");
      const topo = numaTopology(root);
      expect(topo.source).toBe("sysfs");
      expect(topo.nodes.map((n) => n.cpus)).toEqual([[0, 1, 2, 3], [4, 5, 6, 7]]);
      expect(topo.nodes[1]!.distances).toEqual([21, 10]);
      expect(topo.nodes[1]!.memoryTotalBytes).toBe(2048 * 1024);
      expect(topo.nodes[1]!.memoryFreeBytes).toBe(1024 * 1024);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });

  test("a machine without the sysfs tree is one node", () => {
    const topo = numaTopology("/nonexistent-kos-numa");
    expect(topo.source).toBe("single-node-fallback");
    expect(topo.nodes).toHaveLength(1);
    expect(topo.nodes[0]!.cpus).toEqual(onlineCpus());
  });
});

describe.skipIf(!isAffinitySupported())("bindToNumaNode", () => {
  test("pins the calling thread to node 0's CPUs, proven by /proc", () => {
    const node0 = numaTopology().nodes[0]!;
    setProcessAffinity([onlineCpus()[0]!]);
    const used = bindToNumaNode(node0.id);
    expect(used).toEqual(node0.cpus);
    expect(procCpusAllowed("self")).toEqual(node0.cpus);
  });

  test("an unknown node is EINVAL_NUMA_NODE", () => {
    expect(() => bindToNumaNode(999)).toThrow(expect.objectContaining({ code: "EINVAL_NUMA_NODE" }));
  });

  test("a node id that is not an integer, and an unknown scope, are EINVAL_NUMA_NODE before anything is pinned (sweep37)", () => {
    const before = procCpusAllowed("self");
    // "0" was "NUMA node 0 does not exist (nodes: 0)"; scope "bogus" pinned the thread alone.
    expect(() => bindToNumaNode("0" as unknown as number)).toThrow(expect.objectContaining({ code: "EINVAL_NUMA_NODE", message: expect.stringMatching(/non-negative integer, got "0"/) }));
    expect(() => bindToNumaNode(0.5)).toThrow(expect.objectContaining({ code: "EINVAL_NUMA_NODE" }));
    expect(() => bindToNumaNode(numaTopology().nodes[0]!.id, { scope: "bogus" as "thread" })).toThrow(expect.objectContaining({ code: "EINVAL_NUMA_NODE", message: expect.stringMatching(/scope/) }));
    expect(procCpusAllowed("self")).toEqual(before);
  });
});
