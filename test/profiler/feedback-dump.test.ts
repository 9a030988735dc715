// The dump a `kos profile` run's process writes at exit leaves the sources' hashes to kos
// (node:crypto's load was most of that exit handler): once kos fills them in, the dump is the one a
// process that hashed would have written, byte for byte.
import { describe, expect, it } from "vitest";
import { collectFeedback, jit, sourceHash } from "../../index.js";
import { hashSources } from "../../profiler/feedback-merge.js";
import type { FeedbackDump } from "../../profiler/profile-format.js";

function scaleForDump(xs: number[], k: number): number {
  let s = 0;
  for (const x of xs) s += x * k;
  return s;
}

describe("the feedback dump written at exit", () => {
  it("carries the text in place of the hash, and hashSources makes it the dump a hashing process writes", () => {
    const f = jit(scaleForDump, { name: "scaleForDump" });
    for (let i = 0; i < 50; i++) f([1, 2, 3], 2);
    const unhashed: FeedbackDump = collectFeedback({ hash: false });
    const hashed = collectFeedback();
    const mine = unhashed.functions.find((x) => x.name === "scaleForDump")!;
    // Other tests' functions may have their hashes already; this one was never hashed before.
    expect(mine.sourceHash).toBe("");
    expect(mine.source).toBe(Function.prototype.toString.call(scaleForDump));
    // The text goes through JSON, as it does in the file.
    const read = JSON.parse(JSON.stringify(unhashed)) as FeedbackDump;
    expect(hashSources(read)).toBe(true);
    expect(JSON.stringify(read)).toBe(JSON.stringify(hashed));
    expect(read.functions.find((x) => x.name === "scaleForDump")!.sourceHash).toBe(sourceHash(Function.prototype.toString.call(scaleForDump)));
    // A dump with every hash in place is left as it is.
    expect(hashSources(read)).toBe(false);
  });
});
