// Fails on purpose: `kos profile` must report the failure and exit nonzero.
let s = 0;
for (let i = 0; i < 1e6; i++) s += i;
console.error(`giving up after ${s > 0 ? "some" : "no"} work`);
process.exit(3);
