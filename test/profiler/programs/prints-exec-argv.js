// Prints the node flags it was started with (the flags `kos profile` adds), then works for a
// fixed amount so that its profile has samples.
console.log(`execArgv ${JSON.stringify(process.execArgv)}`);
let h = 1;
for (let i = 0; i < Number(process.argv[2] ?? 20_000_000); i++) h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
console.log(h >>> 0);
