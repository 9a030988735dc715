// Probe (kos-profile-cost.md, "In-process profiling"): a worker thread profiled from the main thread's
// in-process inspector session (NodeWorker domain, waitForDebuggerOnStart), by evaluating a preload
// like flame.ts's in the worker before it runs, while the main thread blocks in Atomics.wait on the
// worker's first line. Prints the worker's profile's sample count. node docs/notes/kos-profile-inproc-worker.cjs
const { Session } = require("node:inspector");
const dir = require("node:fs").mkdtempSync(require("node:path").join(require("node:os").tmpdir(), "kos-worker-prof-"));
const { Worker } = require("node:worker_threads");
const INJECT = `(() => {
  const DIR = ${JSON.stringify(dir)};
  const { Session } = process.getBuiltinModule("node:inspector");
  const fs = process.getBuiltinModule("node:fs");
  const { threadId } = process.getBuiltinModule("node:worker_threads");
  const s = new Session(); s.connect();
  s.post("Profiler.enable"); s.post("Profiler.setSamplingInterval", { interval: 2000 }); s.post("Profiler.start");
  process.on("exit", () => s.post("Profiler.stop", (e, r) => { if (r) fs.writeFileSync(DIR + "/CPU.w." + threadId + ".cpuprofile", JSON.stringify(r.profile)); }));
})()`;
const s = new Session(); s.connect();
s.on("NodeWorker.attachedToWorker", (m) => {
  const send = (id, method, params) => s.post("NodeWorker.sendMessageToWorker", { sessionId: m.params.sessionId, message: JSON.stringify({ id, method, params }) });
  send(1, "Runtime.evaluate", { expression: INJECT });
  send(2, "Runtime.runIfWaitingForDebugger");
});
s.post("NodeWorker.enable", { waitForDebuggerOnStart: true });
const sab = new Int32Array(new SharedArrayBuffer(4));
const w = new Worker("function spin(n){let x=0;for(let i=0;i<n;i++)x=(x+i*7)|0;return x} const {workerData}=require('node:worker_threads'); spin(3e8); Atomics.store(workerData,0,1); Atomics.notify(workerData,0); console.log('worker sees exit listeners', process.listenerCount('exit'))", { eval: true, workerData: sab });
console.log("wait:", Atomics.wait(sab, 0, 0, 10000));
w.on("exit", () => { const fs = require("node:fs"); for (const f of fs.readdirSync(dir)) { const p = JSON.parse(fs.readFileSync(dir + "/" + f)); console.log(f, p.samples.length, "samples;", p.nodes.map((n) => n.callFrame.functionName).filter((n) => n === "spin").length ? "has spin" : "no spin"); } });
