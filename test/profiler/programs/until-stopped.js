// Runs until a signal stops it, as a server does: `kos profile` must still write its profile when
// Ctrl-C ends it. With argv[2] "graceful" it handles SIGINT itself, says so and exits 0 a little later.
function spin(n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + Math.sqrt(i) * 31) % 1e9;
  return s;
}
let total = 0;
setInterval(() => (total += spin(300000)), 5);
console.log("running");
if (process.argv[2] === "graceful") {
  process.on("SIGINT", () => {
    console.log("shutting down", total > 0);
    setTimeout(() => process.exit(0), 50);
  });
}
