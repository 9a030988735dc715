/**
 * `kos profile`'s analysis started before the profiled command has quite exited.
 *
 * `node --cpu-prof` writes a thread's profile as the thread ends; the main thread's is the last
 * thing its process writes (after the program's exit handlers, kos's feedback dump among them), and
 * the process then takes a while more to go: the main thread's profile was on disk 10-12 ms before
 * the child's exit event reached kos (bench/programs/life.ts at 400, fs.watch on the profiles'
 * directory, 3 runs). Everything `kos profile` did after that event (19-25 ms: reading the
 * profiles, ranking, drawing the pprof, the flamegraph and the merged .cpuprofile) was on its wall
 * time; now it starts when that profile is on disk, and only the writing waits for the exit.
 *
 * What is analyzed early is used only if the command left exactly the files it read: the same
 * profiles, in the same order, each unchanged since before it was read (inode, size, mtime and
 * ctime), and the feedback dump likewise. Anything else (a worker's profile written later, a
 * profile caught half written, a dump another process added to) and the analysis runs again
 * after the exit, as it always did.
 */
import { readdirSync, statSync, watch, type FSWatcher } from "node:fs";
import { join } from "node:path";

/** A file's identity and state, or "absent": a file that changes between two stamps stamps differently. */
function stamp(path: string): string {
  try {
    const s = statSync(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch {
    return "absent";
  }
}

/** The profiles in `dir`, in the order profile-run.ts hands them to the analysis (flame.ts, runWithCpuProf). */
export function profilesIn(dir: string): string[] {
  return readdirSync(dir)
    .filter((n) => n.endsWith(".cpuprofile"))
    .map((n) => join(dir, n));
}

interface Attempt<T> {
  paths: string[];
  /** Stamps of the profiles, then of the other inputs, taken before they were read. */
  stamps: string[];
  result: T | null;
}

/**
 * Watches a `--cpu-prof-dir` for the main thread's profile of one process and runs `prepare` on
 * the directory's profiles as soon as it is complete; {@link take} hands the result over once the
 * command has exited, if it still holds.
 */
export class EarlyAnalysis<T> {
  private watcher: FSWatcher | null = null;
  private running: Promise<Attempt<T> | null> | null = null;
  private done: Attempt<T> | null = null;
  private again = false;

  /**
   * @param dir the profiles' directory
   * @param inputs the other files the analysis reads (the feedback dump)
   * @param prepare the analysis of the given profiles; it may throw, or give null, when they do not do (yet)
   */
  constructor(
    private readonly dir: string,
    private readonly inputs: string[],
    private readonly prepare: (profilePaths: string[]) => Promise<T | null>,
  ) {}

  /** Starts watching for the main thread's profile of process `pid`. Never throws (no watching then). */
  watchFor(pid: number | undefined): void {
    if (pid === undefined || this.watcher) return;
    // Node's name for it: CPU.<date>.<time>.<pid>.<thread id>.<sequence>.cpuprofile, thread 0 the main one.
    const main = new RegExp(`^CPU\\.\\d+\\.\\d+\\.${pid}\\.0\\.\\d+\\.cpuprofile$`);
    try {
      this.watcher = watch(this.dir, (_event, name) => {
        if (name && main.test(String(name))) this.attempt();
      });
      this.watcher.on("error", () => this.stop());
    } catch {
      this.watcher = null; // no watching (no inotify instances left, say): the analysis runs after the exit
    }
  }

  private attempt(): void {
    if (this.done) return;
    if (this.running) {
      this.again = true; // written further since: tried again once this attempt ends
      return;
    }
    this.running = this.run().then((a) => {
      this.running = null;
      if (a) this.done = a;
      else if (this.again && this.watcher) {
        this.again = false;
        this.attempt();
      }
      return a;
    });
  }

  private async run(): Promise<Attempt<T> | null> {
    try {
      const paths = profilesIn(this.dir);
      const stamps = [...paths, ...this.inputs].map(stamp);
      // Node creates the file, then writes it whole: an empty one waits for its write's event
      // (read as it was being written, an attempt had analyzed the whole profile, then thrown the result away).
      if (paths.some((_, i) => stamps[i] === "absent" || stamps[i]!.split(":")[1] === "0")) return null;
      const result = await this.prepare(paths);
      // A file written while it was read (the profile's first event comes when node creates it,
      // empty): not used, and tried again at the write's own event.
      const after = [...paths, ...this.inputs].map(stamp);
      return result === null || after.some((s, i) => s !== stamps[i]) ? null : { paths, stamps, result };
    } catch {
      return null; // a profile not complete yet, or a run the analysis refuses: said after the exit, if so
    }
  }

  /** Stops watching; an attempt under way still ends. */
  stop(): void {
    this.watcher?.close();
    this.watcher = null;
  }

  /**
   * Once the command has exited, with the profiles it left (in the analysis's order): the early
   * result, if it was drawn from exactly these files as they are now; else null.
   */
  async take(profilePaths: string[]): Promise<T | null> {
    this.stop();
    while (this.running) await this.running;
    const a = this.done;
    if (!a || a.paths.length !== profilePaths.length || a.paths.some((p, i) => p !== profilePaths[i])) return null;
    const now = [...profilePaths, ...this.inputs].map(stamp);
    // Every profile still there and unchanged; every other input unchanged (absent still, if it was).
    return now.every((s, i) => s === a.stamps[i] && (i >= profilePaths.length || s !== "absent")) ? a.result : null;
  }
}
