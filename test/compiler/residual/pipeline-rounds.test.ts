/**
 * The residual pipeline's round (branchesToLogical, removeDeadStores, forwardTemporaries,
 * removeUnusedDeclarations): run again while it changes something, and stopped as soon as
 * each of its passes has left the tree as it found it, since every later run would too.
 */
import { describe, expect, it } from "vitest";
import { runRounds, type ResidualPass } from "../../../compiler/residual/pipeline.js";


/** The runs of four passes, each changing the tree the number of times given, its first runs first. */
function runs(changes: number[]): string[] {
  const left = [...changes];
  const round = changes.map((_, i): ResidualPass => ({ name: `p${i}`, run: () => (left[i]! > 0 ? (left[i]!--, true) : false) }));
  const log: string[] = [];
  runRounds(round, (p) => {
    const changed = p.run(null, null as never);
    log.push(`${p.name}${changed ? "+" : "-"}`);
    return changed;
  });
  return log;
}

describe("runRounds", () => {
  it("runs one round where nothing changes", () => {
    expect(runs([0, 0, 0, 0])).toEqual(["p0-", "p1-", "p2-", "p3-"]);
  });

  it("stops once every pass has run without a change since the last change", () => {
    // The change at p1: p2, p3, p0 and p1 then find nothing, and p2 and p3 would not either.
    expect(runs([0, 1, 0, 0])).toEqual(["p0-", "p1+", "p2-", "p3-", "p0-", "p1-"]);
  });

  it("runs the next round whole where its last pass changed the tree", () => {
    expect(runs([0, 0, 0, 1])).toEqual(["p0-", "p1-", "p2-", "p3+", "p0-", "p1-", "p2-", "p3-"]);
  });

  it("stops after three rounds, changes or not", () => {
    expect(runs([5, 0, 0, 0])).toEqual(["p0+", "p1-", "p2-", "p3-", "p0+", "p1-", "p2-", "p3-", "p0+", "p1-", "p2-", "p3-"]);
  });
});
