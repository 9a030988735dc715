const { jit } = await import("../../../dist/index.js");
function neighbours(rule, g, w, h, x, y) { let n = 0; for (let dy = -1; dy <= 1; dy++) n += g[dy]; return n; }
function stepLife(rule, src, dst, w, h) { let a = 0; for (let y = 0; y < h; y++) a += src[y]; return a; }
function integrate(world, p, dt) { for (let i = 0; i < 2; i++) p.vy += world.gravity * dt; }
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1000; };
const c0 = cpu();
const a = jit(neighbours); const c1 = cpu();
const b = jit(stepLife); const c2 = cpu();
const c = jit(integrate); const c3 = cpu();
a({}, [1,2,3], 1, 1, 0, 0); const c4 = cpu();
b({}, [1,2,3], [], 1, 1); c({gravity: 1}, {vy: 0}, 1); const c5 = cpu();
console.log(JSON.stringify({ jit1: +(c1 - c0).toFixed(2), jit2: +(c2 - c1).toFixed(2), jit3: +(c3 - c2).toFixed(2), call1: +(c4 - c3).toFixed(2), calls23: +(c5 - c4).toFixed(2) }));
