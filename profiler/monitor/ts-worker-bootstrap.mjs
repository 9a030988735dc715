// Worker entry used only when the monitor runs from its TypeScript sources
// (tests): registers tsx, then loads the sampling worker's .ts. On Node 20,
// `execArgv: ["--import", "tsx"]` registers tsx's hooks asynchronously and the
// entry raced ahead of them (ERR_UNKNOWN_FILE_EXTENSION ".ts"), as
// runtime/native/pool-bootstrap.mjs found for the worker pool.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
await import(workerData.entry);
