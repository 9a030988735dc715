#!/usr/bin/env node
/**
 * kos's install step: builds the optional native addon (affinity, aligned
 * buffers, direct I/O) with node-gyp, pointing it at the running node's own
 * headers. It never fails the install: without a compiler or headers, kos
 * works and its system features report `supported: false`.
 *
 * Headers are found the way node-gyp itself looks for them, without a fixed
 * path (issue 13: `--nodedir=/usr` is wrong for nvm, the official tarball or
 * Docker images):
 *   1. `npm_config_nodedir` (npm's `nodedir` setting, or the environment);
 *   2. the running node's install prefix, `dirname(dirname(process.execPath))`,
 *      when it holds `include/node/node_api.h` (distro packages, nvm, the
 *      official tarballs, Docker's node images all install headers there);
 *   3. otherwise node-gyp's default: its header cache, downloaded if needed.
 */
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, rmSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const WARNING = "kos: native addon not built; affinity, aligned buffers and direct I/O will report supported:false";

/** The directory node-gyp should use as `--nodedir`, or undefined to let node-gyp decide. */
export function findNodeDir(env = process.env, execPath = process.execPath) {
  if (env.npm_config_nodedir) return env.npm_config_nodedir;
  const prefix = dirname(dirname(execPath));
  if (existsSync(join(prefix, "include", "node", "node_api.h"))) return prefix;
  return undefined;
}

/**
 * npm names its bundled node-gyp in `npm_config_node_gyp` for lifecycle scripts; run by hand,
 * npm's copy sits beside node (`<prefix>/lib/node_modules/npm/...`). Else `node-gyp` from PATH.
 */
function findNodeGyp(env = process.env, execPath = process.execPath) {
  if (env.npm_config_node_gyp && existsSync(env.npm_config_node_gyp)) return env.npm_config_node_gyp;
  const bundled = join(dirname(dirname(execPath)), "lib", "node_modules", "npm", "node_modules", "node-gyp", "bin", "node-gyp.js");
  return existsSync(bundled) ? bundled : undefined;
}

/**
 * Drops node-gyp's intermediates (object files, makefiles: 0.4 MB) and keeps
 * build/Release/kos_native.node, the one file kos loads: part of keeping an
 * install of kos for jit() alone under 5 MB (issue 13). KOS_KEEP_BUILD=1 keeps them.
 */
function keepOnlyAddon(dir) {
  if (process.env.KOS_KEEP_BUILD === "1" || !existsSync(join(dir, "Release", "kos_native.node"))) return;
  for (const name of readdirSync(dir)) if (name !== "Release") rmSync(join(dir, name), { recursive: true, force: true });
  for (const name of readdirSync(join(dir, "Release"))) if (name !== "kos_native.node") rmSync(join(dir, "Release", name), { recursive: true, force: true });
}

function main() {
  if (process.env.KOS_SKIP_ADDON === "1") {
    console.warn(`${WARNING} (KOS_SKIP_ADDON=1)`);
    return;
  }
  const nodedir = findNodeDir();
  const gyp = findNodeGyp();
  const [cmd, pre] = gyp ? [process.execPath, [gyp]] : ["node-gyp", []];
  const args = [...pre, "rebuild", ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  if (r.status === 0) keepOnlyAddon("build");
  else console.warn(`${WARNING} (node-gyp ${r.error ? `could not start: ${r.error.message}` : `exited with ${r.status ?? r.signal}`}; headers: ${nodedir ?? "node-gyp's default"})`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) main();
