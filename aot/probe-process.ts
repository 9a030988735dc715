/**
 * What the project's modules may do to the kos build process while the
 * probe imports them (probe.ts), and how the build survives it.
 *
 * The probe must run in this process: the compiler reads the live functions
 * and their closures (through the inspector), which a child process could
 * not hand over. So:
 *
 * - `process.exit()` called by a module (a CLI-style module whose
 *   configuration is missing) ended kos build with the module's code and left
 *   the probe folder behind (sweep 30, F5). While a probe is open,
 *   `process.exit` throws a {@link ProbeExit} instead, which the import
 *   turns into an `EBUILD_LOAD` error naming the module; and the probe folder
 *   is removed on the process's `exit` event too, whatever ends it.
 * - A module that starts a timer at load (a cache sweeper's `setInterval`)
 *   kept the process alive after the report (F6): that is the CLI's to end
 *   (cli/build.ts), as a library caller of `kosBuild` owns its process.
 */

/** Thrown by `process.exit` while a probe is open. */
export class ProbeExit extends Error {
  constructor(readonly exitCode: unknown) {
    super(`the module called process.exit(${exitCode === undefined ? "" : String(exitCode)})`);
  }
}

let open = 0;
let realExit: typeof process.exit | null = null;

/**
 * Intercepts `process.exit` and removes `cleanup` on the process's exit, until the returned
 * function is called. Nested opens (several probes) share one interception.
 */
export function guardProcess(cleanup: () => void): () => void {
  if (open++ === 0) {
    realExit = process.exit;
    process.exit = ((code?: unknown) => { throw new ProbeExit(code); }) as typeof process.exit;
  }
  process.on("exit", cleanup);
  let closed = false;
  return () => {
    if (closed) return;
    closed = true;
    process.off("exit", cleanup);
    if (--open === 0 && realExit) {
      process.exit = realExit;
      realExit = null;
    }
  };
}
