// Worker entry used by PinnedWorkerPool when TypeScript must load (the pool's
// own entry from source, or a user's .ts task module). On Node 20,
// `execArgv: ["--import", "tsx"]` registers tsx's hooks asynchronously, and
// piscina's preload of the entry raced ahead of them ("Unknown file extension
// .ts", seen in test/system/worker-pool.test.ts), so tsx is registered here
// first. Plain JavaScript on purpose: it runs before any loader exists.
// No top-level await (piscina may require() this file, Node 20.19+): the
// default export is a promise of the task function, which piscina awaits.
import { workerData } from "node:worker_threads";
import { register } from "tsx/esm/api";

register();
const task = import(workerData.__kosPool.entry).then((entry) => entry.default);
task.catch(() => {}); // piscina sees the rejection through the export

export default task;
