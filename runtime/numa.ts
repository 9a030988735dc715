/**
 * NUMA topology from /sys/devices/system/node, and pinning to a node's CPUs.
 * A machine without that directory is reported as one node holding every
 * online CPU (`source: "single-node-fallback"`).
 */
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { freemem, totalmem } from "node:os";
import { onlineCpus, parseCpuList, setAffinity, setProcessAffinity } from "./affinity.js";
import { SystemError } from "./native/system-error.js";

/** One NUMA node as the kernel describes it. */
export interface NumaNode {
  id: number;
  cpus: number[];
  /** Relative distance to every node, indexed by node id (10 = local). */
  distances: number[];
  memoryTotalBytes: number;
  memoryFreeBytes: number;
}

/** The machine's NUMA nodes, and where the description came from. */
export interface NumaTopology {
  nodes: NumaNode[];
  source: "sysfs" | "single-node-fallback";
}

const NODE_ROOT = "/sys/devices/system/node";

function meminfoBytes(text: string, field: string): number {
  const m = new RegExp(`${field}:\\s*(\\d+) kB`).exec(text);
  return m ? Number(m[1]) * 1024 : 0;
}

/** Reads nodes, their CPUs, distances and memory from sysfs. */
export function numaTopology(root: string = NODE_ROOT): NumaTopology {
  const ids = existsSync(root)
    ? readdirSync(root).map((d) => /^node(\d+)$/.exec(d)).filter((m) => m !== null).map((m) => Number(m![1])).sort((a, b) => a - b)
    : [];
  if (ids.length === 0) {
    return {
      source: "single-node-fallback",
      nodes: [{ id: 0, cpus: onlineCpus(), distances: [10], memoryTotalBytes: totalmem(), memoryFreeBytes: freemem() }],
    };
  }
  const nodes = ids.map((id): NumaNode => {
    const dir = join(root, `node${id}`);
    const read = (f: string) => (existsSync(join(dir, f)) ? readFileSync(join(dir, f), "utf8") : "");
    const meminfo = read("meminfo");
    return {
      id,
      cpus: parseCpuList(read("cpulist")),
      distances: read("distance").trim().split(/\s+/).filter(Boolean).map(Number),
      memoryTotalBytes: meminfoBytes(meminfo, "MemTotal"),
      memoryFreeBytes: meminfoBytes(meminfo, "MemFree"),
    };
  });
  return { source: "sysfs", nodes };
}

/**
 * Pins to the CPUs of NUMA node `node`: the calling thread by default, or
 * every thread with `{ scope: "process" }`. Returns the CPUs used. Throws
 * `EINVAL_NUMA_NODE` for an unknown node or one without CPUs.
 */
export function bindToNumaNode(node: number, options: { scope?: "thread" | "process" } = {}): number[] {
  // `"0"` was "NUMA node 0 does not exist (nodes: 0)", and an unknown scope pinned the thread alone (sweep37).
  if (!Number.isSafeInteger(node) || node < 0) throw new SystemError("EINVAL_NUMA_NODE", `a NUMA node id is a non-negative integer, got ${typeof node === "string" ? JSON.stringify(node) : String(node)}`);
  const scope = options?.scope ?? "thread";
  if (scope !== "thread" && scope !== "process") throw new SystemError("EINVAL_NUMA_NODE", `scope must be "thread" or "process", got ${JSON.stringify(scope)}`);
  const found = numaTopology().nodes.find((n) => n.id === node);
  if (!found) throw new SystemError("EINVAL_NUMA_NODE", `NUMA node ${node} does not exist (nodes: ${numaTopology().nodes.map((n) => n.id).join(", ")})`);
  if (found.cpus.length === 0) throw new SystemError("EINVAL_NUMA_NODE", `NUMA node ${node} has no CPUs (memory-only node)`);
  if (scope === "process") setProcessAffinity(found.cpus);
  else setAffinity(found.cpus);
  return found.cpus;
}
