// Worker bootstrap for the stress tests: Node 20 does not apply `--import tsx`
// hooks to a worker's entry module (ERR_UNKNOWN_FILE_EXTENSION), so load the
// TypeScript worker through tsx's API instead.
import { workerData } from "node:worker_threads";
import { tsImport } from "tsx/esm/api";

await tsImport(workerData.script, import.meta.url);
