/**
 * A simulation driven by a configuration object, as a small game or a
 * teaching demo has it: a life-like cellular automaton whose rule (birth and
 * survival counts, wrap-around) comes from the config, over a Uint8Array grid,
 * with the neighbour count in a helper called per cell; and particles, a class
 * whose instances a per-particle integrator moves under the config's gravity,
 * drag and walls. The config is a plain object (never frozen) read at every
 * call; the kernels are generic, wrapped in jit() as a user would.
 */
import { report, wrap } from "./mode.js";

interface Rule { birth: number[]; survive: number[]; wrap: boolean }
interface World { gravity: number; drag: number; width: number; height: number; bounce: number }

const CONFIG = {
  rule: { birth: [3], survive: [2, 3], wrap: true } as Rule,
  world: { gravity: -9.81, drag: 0.02, width: 100, height: 60, bounce: 0.8 } as World,
  size: { w: 96, h: 64 },
  particles: 2000,
  dt: 1 / 120,
};

class Particle {
  constructor(public x: number, public y: number, public vx: number, public vy: number) {}
}

function neighbours(rule: Rule, g: Uint8Array, w: number, h: number, x: number, y: number): number {
  let n = 0;
  for (let dy = -1; dy <= 1; dy++) {
    for (let dx = -1; dx <= 1; dx++) {
      if (dx === 0 && dy === 0) continue;
      let xx = x + dx, yy = y + dy;
      if (rule.wrap) {
        xx = (xx + w) % w;
        yy = (yy + h) % h;
      } else if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
      n += g[yy * w + xx]!;
    }
  }
  return n;
}

function stepLife(rule: Rule, src: Uint8Array, dst: Uint8Array, w: number, h: number): number {
  let alive = 0;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const n = neighboursK(rule, src, w, h, x, y);
      const live = src[y * w + x] === 1 ? rule.survive.includes(n) : rule.birth.includes(n);
      dst[y * w + x] = live ? 1 : 0;
      if (live) alive++;
    }
  }
  return alive;
}

function integrate(world: World, p: Particle, dt: number): void {
  p.vy += world.gravity * dt;
  p.vx -= p.vx * world.drag * dt;
  p.vy -= p.vy * world.drag * dt;
  p.x += p.vx * dt;
  p.y += p.vy * dt;
  if (p.x < 0) { p.x = -p.x; p.vx = -p.vx * world.bounce; }
  else if (p.x > world.width) { p.x = 2 * world.width - p.x; p.vx = -p.vx * world.bounce; }
  if (p.y < 0) { p.y = -p.y; p.vy = -p.vy * world.bounce; }
  else if (p.y > world.height) { p.y = 2 * world.height - p.y; p.vy = -p.vy * world.bounce; }
}

const neighboursK = wrap(neighbours, { specialize: { rule: CONFIG.rule } });
const stepLifeK = wrap(stepLife, { specialize: { rule: CONFIG.rule } });
const integrateK = wrap(integrate, { specialize: { world: CONFIG.world, dt: CONFIG.dt } });

const steps = Number(process.argv[2] ?? 400);

report(() => {
  const { w, h } = CONFIG.size;
  let a = new Uint8Array(w * h), b = new Uint8Array(w * h);
  let seed = 4242;
  const rnd = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32);
  for (let i = 0; i < a.length; i++) a[i] = rnd() < 0.3 ? 1 : 0;
  const ps = Array.from({ length: CONFIG.particles }, () => new Particle(rnd() * 100, rnd() * 60, rnd() * 20 - 10, rnd() * 20 - 10));
  let check = 0;
  for (let s = 0; s < steps; s++) {
    check += stepLifeK(CONFIG.rule, a, b, w, h);
    [a, b] = [b, a];
    for (let k = 0; k < 4; k++) for (const p of ps) integrateK(CONFIG.world, p, CONFIG.dt);
  }
  for (const p of ps) check += p.x + p.y;
  return Math.round(check * 1e3) / 1e3;
});
