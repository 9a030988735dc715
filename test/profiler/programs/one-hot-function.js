// A program with one known-hot function and a few cold ones, for the
// `kos profile` tests. The work is a fixed amount (not a timed loop), so the
// ranking does not depend on the machine's speed: hotMixing does ~95% of it.

function hotMixing(seed, rounds) {
  let h = seed | 0;
  for (let i = 0; i < rounds; i++) {
    h = Math.imul(h ^ (h >>> 15), 0x2c1b3c6d);
    h = Math.imul(h ^ (h >>> 12), 0x297a2d39);
    h ^= h >>> 15;
  }
  return h >>> 0;
}

function coldFormat(n) {
  return `result: ${n.toString(16)}`;
}

const coldSum = (values) => values.reduce((a, b) => a + b, 0);

class ColdHolder {
  constructor(v) { this.v = v; }
  describe() { return coldFormat(this.v); }
}

const rounds = Number(process.argv[2] ?? 4_000_000);
const results = [];
for (let r = 0; r < 60; r++) results.push(hotMixing(r, rounds));
const holder = new ColdHolder(coldSum(results));
console.log(holder.describe());
