#!/usr/bin/env node
/**
 * The `kos` command. Subcommands load lazily so `kos --help` stays fast.
 *   kos demo                      profile the fixtures, jit them, print before/after
 *   kos profile [--out DIR] [--top N] -- <command...>
 *   kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]
 */
const [sub, ...rest] = process.argv.slice(2);

const commands: Record<string, () => Promise<{ main(argv: string[]): Promise<number> }>> = {
  demo: () => import("./demo.js"),
  profile: () => import("./profile.js"),
  build: () => import("./build.js"),
};

function usage(): void {
  console.log(`kos: make hot JavaScript faster

usage:
  kos demo                               profile the fixtures, jit them, print a before/after table
  kos profile [--out DIR] [--top N] -- <command...>
                                         flamegraph + kos-profile.json of a program
  kos build [--project tsconfig.json] [--profile kos-profile.json] [--out DIR]
                                         ahead-of-time, profile-guided optimization`);
}

async function run(): Promise<number> {
  if (!sub || sub === "--help" || sub === "-h" || sub === "help") {
    usage();
    return sub ? 0 : 1;
  }
  const load = commands[sub];
  if (!load) {
    console.error(`kos: unknown command '${sub}'`);
    usage();
    return 2;
  }
  const mod = await load();
  return mod.main(rest);
}

run().then(
  (code) => { process.exitCode = code; },
  (err) => {
    console.error(`kos ${sub}: ${err?.code ? `[${err.code}] ` : ""}${err?.message ?? err}`);
    process.exitCode = 1;
  },
);
