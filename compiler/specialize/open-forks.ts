/**
 * A fork's guards checked at the fork before it, where no foreign code ran in between.
 *
 * A fork (speculation.ts) checks, where foreign code may have run, the guards of the reads its
 * speculated branch folds, up to the next foreign point or the end of what it speculates on (a
 * call, the rest of an unrolled loop). Its branches then join, and foreign code "may have run"
 * after the join, since it may have on the generic branch: the next fork checks its own guards
 * again. On the speculated branch nothing foreign ran since the first fork checked its guards, so
 * the second fork's guards hold there if they held at the first fork. They are checked there:
 *
 *     if (G1 && G2) { ran1 = true; spec1 } else { ran1 = false; gen1 }
 *     …                                   // nothing foreign
 *     if (ran1 || G2) { spec2 } else { gen2 }
 *
 * On the speculated path, G2 was checked after the last foreign point (at the first fork), and
 * nothing has changed the objects it reads since: a store to an object kos does not own, a call to
 * unknown code, a getter of an input are all foreign points, and any of them between the two forks
 * on some path leaves no open fork (foreign-state.ts). On the generic path `ran1` is false and G2
 * is checked where it was before. A fork whose test is skipped so may itself be open: a third
 * fork's guards then go to both earlier tests, since its speculated path may have come through
 * either. json-logic-js checked each operator's table entry (`operations[op]`, its `apply`, the
 * table's prototype) after the fork that unrolled the rest of the operator's `values.map(…)`,
 * with nothing between the two.
 */
import type { Node } from "../ast.js";
import type { ContentGuard } from "../content-guards.js";
import { contentGuardStatements } from "../keys-check-statements.js";
import { Specializer, assign, id } from "./specializer.js";

/** A fork whose speculated branch ran no foreign code, and the residual code of its test. */
export interface OpenFork {
  /** Residual variable: true where the fork's speculated branch ran (empty: the fork is not open). */
  flag: string;
  /** The guards its test checks; later forks' guards are added. */
  guards: ContentGuard[];
  /** The statements that prepare its test (walks of key lists), rewritten with the guards. */
  code: Node[];
  /** The fork's `if`, whose test is rewritten with the guards. */
  ifNode: Node;
  /** The open fork whose speculated branch skips this fork's test, or null. */
  parent: OpenFork | null;
  /** Forks above it through `parent`. */
  depth: number;
  /** The variable its key walks set, made once. */
  keysFlag?: string;
}

/**
 * Forks whose tests one fork's guards are added to. Each is added to every fork up the chain, so
 * the guard code grows with the chain's length squared; past it a fork checks its own guards only
 * and starts a new chain. json-logic-js's rule makes chains of at most 2 (each fork of a `map`'s
 * rest, then the operator's table entry).
 */
const MAX_CHAIN = 8;

const TRUE: Node = { type: "Literal", value: true, raw: "true" };
const FALSE: Node = { type: "Literal", value: false, raw: "false" };

/**
 * Emits a fork's test and branches into `s.out`: `guards` checked here, or, after an open fork,
 * where that fork's branch did not skip them. `opens`: the speculated branch ran no foreign code,
 * and the fork is returned as open for the forks after its join.
 */
export function emitForkTest(s: Specializer, guards: ContentGuard[], parent: OpenFork | null, specList: Node[], genList: Node[], opens: boolean): OpenFork | null {
  if (parent && parent.depth + 1 >= MAX_CHAIN) parent = null;
  const fork: OpenFork = { flag: "", guards: [...guards], code: [], ifNode: { type: "IfStatement", test: TRUE, consequent: { type: "BlockStatement", body: specList }, alternate: { type: "BlockStatement", body: genList } }, parent, depth: parent ? parent.depth + 1 : 0 };
  if (opens) {
    fork.flag = s.fresh("specRan");
    s.hoistName(fork.flag);
    specList.unshift(assign(fork.flag, TRUE));
    genList.unshift(assign(fork.flag, FALSE));
  }
  rebuild(s, fork);
  s.out.push({ type: "BlockStatement", body: fork.code }, fork.ifNode);
  if (parent) addGuards(s, parent, guards);
  return opens ? fork : null;
}

/** Adds `guards` to `fork`'s test and to the tests up its chain. */
function addGuards(s: Specializer, fork: OpenFork, guards: ContentGuard[]): void {
  const added = guards.filter((g) => !fork.guards.some((h) => sameGuard(g, h)));
  if (added.length) {
    fork.guards.push(...added);
    rebuild(s, fork);
  }
  if (fork.parent) addGuards(s, fork.parent, guards);
}

/** Rewrites `fork`'s test from its guards. */
function rebuild(s: Specializer, fork: OpenFork): void {
  const flag = (): string => {
    if (!fork.keysFlag) {
      fork.keysFlag = s.fresh("keysOk");
      s.hoistName(fork.keysFlag);
    }
    return fork.keysFlag;
  };
  const { before, test } = contentGuardStatements(fork.guards, (v) => s.constNode(v), s.options.ownKeysChecks?.check, flag, `${s.prefix}key`)!;
  const parent = fork.parent;
  const code: Node[] = parent && before.length ? [{ type: "IfStatement", test: { type: "UnaryExpression", operator: "!", prefix: true, argument: id(parent.flag) }, consequent: { type: "BlockStatement", body: before }, alternate: null }] : before;
  fork.code.splice(0, fork.code.length, ...code);
  fork.ifNode.test = parent ? { type: "LogicalExpression", operator: "||", left: id(parent.flag), right: test } : test;
}

/** The same check: every field equal (key lists item by item). */
function sameGuard(a: ContentGuard, b: ContentGuard): boolean {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof ContentGuard>;
  for (const k of keys) {
    const x = a[k];
    const y = b[k];
    if (Array.isArray(x) && Array.isArray(y)) {
      if (x.length !== y.length || x.some((v, i) => !Object.is(v, y[i]))) return false;
    } else if (!Object.is(x, y)) return false;
  }
  return true;
}
