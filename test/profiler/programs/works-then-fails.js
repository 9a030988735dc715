// Does its work, then fails the way argv[2] says ("exit": process.exit(3), "signal": SIGTERM):
// `kos profile` must still write the profile of what ran, and end with the program's status.
function hotLoop(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + Math.sqrt(i) * 31) % 1e9;
  return s;
}
let total = 0;
const until = Date.now() + 300;
while (Date.now() < until) total += hotLoop(200000);
console.log(total > 0 ? "worked" : "no work");
if (process.argv[2] === "signal") process.kill(process.pid, "SIGTERM");
else process.exit(3);
