/**
 * A DSP pipeline of three generic kernels driven by constant configuration,
 * written the way an audio library would: a FIR filter over its coefficient
 * table, a biquad section over its coefficient object, and a per-sample
 * soft-clip stage called through a small helper. The configuration is
 * deep-frozen, as kos's docs ask of constants that tiering may speculate on.
 */
import { report, wrap } from "./mode.js";

function fir(coeffs: readonly number[], input: Float64Array, output: Float64Array): void {
  const taps = coeffs.length;
  for (let n = 0; n < input.length; n++) {
    let acc = 0;
    for (let k = 0; k < taps; k++) {
      const i = n - k;
      if (i >= 0) acc += coeffs[k]! * input[i]!;
    }
    output[n] = acc;
  }
}

interface Biquad { readonly b0: number; readonly b1: number; readonly b2: number; readonly a1: number; readonly a2: number }

function biquad(c: Biquad, input: Float64Array, output: Float64Array): void {
  let x1 = 0, x2 = 0, y1 = 0, y2 = 0;
  for (let n = 0; n < input.length; n++) {
    const x = input[n]!;
    const y = c.b0 * x + c.b1 * x1 + c.b2 * x2 - c.a1 * y1 - c.a2 * y2;
    x2 = x1; x1 = x; y2 = y1; y1 = y;
    output[n] = y;
  }
}

interface Shape { readonly drive: number; readonly ceiling: number; readonly mode: "soft" | "hard" }

function shapeSample(s: Shape, x: number): number {
  const v = x * s.drive;
  if (s.mode === "hard") return v > s.ceiling ? s.ceiling : v < -s.ceiling ? -s.ceiling : v;
  return (s.ceiling * v) / (s.ceiling + Math.abs(v));
}

const FIR = Object.freeze([0.02, 0.05, 0.09, 0.14, 0.2, 0.14, 0.09, 0.05, 0.02, 0.01, 0.005, 0.0025]);
const LOWPASS: Biquad = Object.freeze({ b0: 0.2929, b1: 0.5858, b2: 0.2929, a1: 0, a2: 0.1716 });
const SHAPE: Shape = Object.freeze({ drive: 1.8, ceiling: 0.9, mode: "soft" as const });

const firK = wrap(fir, { specialize: { coeffs: FIR } });
const biquadK = wrap(biquad, { specialize: { c: LOWPASS } });
const shapeK = wrap(shapeSample, { specialize: { s: SHAPE } });

const BLOCK = 256;
const blocks = Number(process.argv[2] ?? 3000);

report(() => {
  const a = new Float64Array(BLOCK);
  const b = new Float64Array(BLOCK);
  const c = new Float64Array(BLOCK);
  let check = 0;
  let phase = 0;
  for (let blk = 0; blk < blocks; blk++) {
    for (let i = 0; i < BLOCK; i++) a[i] = Math.sin((phase += 0.031)) + 0.3 * Math.sin(phase * 7.3);
    firK(FIR, a, b);
    biquadK(LOWPASS, b, c);
    for (let i = 0; i < BLOCK; i++) c[i] = shapeK(SHAPE, c[i]!);
    check += c[BLOCK - 1]!;
  }
  return Math.round(check * 1e6) / 1e6;
});
