/**
 * Loads kos's native addon (`build/Release/kos_native.node`, built by
 * `npm install` through node-gyp). Loading is lazy and never throws: when the
 * addon is missing, fails to load, or is hidden with `KOS_NO_ADDON=1`, every
 * system function still exists and reports `supported: false` or throws a
 * `KosError` with code `ENOTSUP_ADDON`.
 */
import { createRequire } from "node:module";
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { KosError } from "../../errors.js";

/** Thread-id 0 means "the calling thread" to the affinity calls. */
export interface NativeBinding {
  getAffinity(tid: number): number[];
  setAffinity(tid: number, cpus: number[]): void;
  currentCpu(): number;
  gettid(): number;
  readonly configuredCpus: number;
  allocAligned(size: number, alignment: number): ArrayBuffer;
  addressOf(view: ArrayBuffer | ArrayBufferView): bigint;
  readonly pageSize: number;
  pread(fd: number, view: ArrayBufferView, offset: number): Promise<number>;
  pwrite(fd: number, view: ArrayBufferView, offset: number): Promise<number>;
  dioAlignment(fd: number): NativeDioAlignment;
  fadvise(fd: number, offset: number, length: number, advice: number): void;
  readahead(fd: number, offset: number, count: number): void;
  readonly fadviseValues: Readonly<Record<"normal" | "random" | "sequential" | "willneed" | "dontneed" | "noreuse", number>>;
}

/** What statx said about direct I/O on one open file. */
export interface NativeDioAlignment {
  /** True when the kernel filled STATX_DIOALIGN (Linux ≥ 6.1 on supporting filesystems). */
  dioSupported: boolean;
  memAlign: number;
  offsetAlign: number;
  blksize: number;
  devMajor: number;
  devMinor: number;
}

/** Whether the addon is loaded, and if not, why not. */
export interface AddonStatus {
  loaded: boolean;
  /** Absolute path of the loaded `.node` file. */
  path?: string;
  /** Why the addon is not loaded (hidden by KOS_NO_ADDON, not built, load error). */
  reason?: string;
}

const ADDON_FILE = "kos_native.node";
let loaded: NativeBinding | null | undefined;
let status: AddonStatus = { loaded: false, reason: "not loaded yet" };

/** The source tree keeps this file in runtime/native/, the build in dist/runtime/native/. */
function candidatePaths(): string[] {
  const here = dirname(fileURLToPath(import.meta.url));
  const roots = [join(here, "..", ".."), join(here, "..", "..", "..")];
  return roots.flatMap((root) => [join(root, "build", "Release", ADDON_FILE), join(root, "build", "Debug", ADDON_FILE)]);
}

function load(): NativeBinding | null {
  if (process.env.KOS_NO_ADDON === "1") {
    status = { loaded: false, reason: "hidden by KOS_NO_ADDON=1" };
    return null;
  }
  if (process.platform !== "linux") {
    status = { loaded: false, reason: `the addon is Linux-only (platform is ${process.platform})` };
    return null;
  }
  const require = createRequire(import.meta.url);
  const errors: string[] = [];
  for (const path of candidatePaths()) {
    if (!existsSync(path)) continue;
    try {
      const binding = require(path) as NativeBinding;
      status = { loaded: true, path };
      return binding;
    } catch (e) {
      errors.push(`${path}: ${(e as Error).message}`);
    }
  }
  status = {
    loaded: false,
    reason: errors.length > 0 ? `failed to load: ${errors.join("; ")}` : "not built (run `npm install` or `npm run install`)",
  };
  return null;
}

/** The addon, or null when it is unavailable. Never throws. */
export function nativeBinding(): NativeBinding | null {
  if (loaded === undefined) loaded = load();
  return loaded;
}

/** Whether the addon is loaded, and if not, why not. Never throws. */
export function addonStatus(): AddonStatus {
  nativeBinding();
  return { ...status };
}

/** The addon, or a `KosError` `ENOTSUP_ADDON` naming the feature that needed it. */
export function requireNative(feature: string): NativeBinding {
  const binding = nativeBinding();
  if (binding === null) {
    throw new KosError("ENOTSUP_ADDON", `${feature} needs kos's native addon, which is not available: ${status.reason}`);
  }
  return binding;
}
