/**
 * The cheap 64-bit key of a function's source text, by which `KOS_PROFILE` matches live functions to
 * profile entries. A module of its own: the dormant tier (compiler/dormant.ts) keys functions with it
 * before kos's core loads, and the core's profile lookup (profile-file.ts) takes the same instance.
 */

/**
 * A cheap 64-bit hash of a function's source text (two 32-bit lanes, FNV-1a and a multiply-xorshift),
 * 16 hex digits. `KOS_PROFILE` matches live functions by it: hashing with sha256 first loaded
 * node:crypto, 3.8 ms of CPU of the first `jit(fn)` of every run with a profile (of 9 ms; /tmp
 * probe, Node 20.20.2), where the rules program's work is 400 ms. It is no security boundary: a
 * profile only chooses what to speculate on, and every speculation is guarded.
 */
export function sourceKey(text: string): string {
  let a = 0x811c9dc5;
  let b = 0x9747b28c ^ text.length;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return (a >>> 0).toString(16).padStart(8, "0") + (b >>> 0).toString(16).padStart(8, "0");
}
