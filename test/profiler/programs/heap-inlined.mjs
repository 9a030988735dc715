// makeNode allocates; V8 inlines it into tick, and its sampling heap profiler then blames tick.
import { profileHeap } from "kos";

function makeNode(i) {
  return { id: i, payload: new Array(16).fill(i) };
}
const kept = [];
function tick(n) {
  for (let i = 0; i < n; i++) {
    const x = makeNode(i);
    if (i % 4 === 0) kept.push(x);
  }
}
for (let i = 0; i < 200; i++) tick(1000);
const { report } = await profileHeap(() => { for (let i = 0; i < 300; i++) tick(1000); }, { samplingIntervalBytes: 8192 });
console.log(JSON.stringify(report.top(3).map((s) => ({ functionName: s.functionName, share: s.share, inlinedCandidates: s.inlinedCandidates ?? [] }))));
