/**
 * kos's trace (`NODE_DEBUG=kos` or `KOS_TRACE=1`). A module of its own: the dormant tier
 * (dormant.ts) traces what it settles before kos's core loads, and the core (dispatcher.ts) takes
 * the same instance.
 */

// node:util through process.getBuiltinModule: its ES module evaluates every export (parseArgs, MIMEType, …).
const debug = process.getBuiltinModule("node:util").debuglog("kos");

/**
 * kos's trace (`NODE_DEBUG=kos` or `KOS_TRACE=1`): tier-ups, deopts with
 * their reason, fallbacks with the line. Silent otherwise.
 */
export function trace(message: string): void {
  const env = process.env.KOS_TRACE;
  if (env && /^(1|true|on|yes)$/i.test(env)) process.stderr.write(`kos: ${message}\n`);
  else if (debug.enabled) debug("%s", message);
}
