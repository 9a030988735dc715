/**
 * `switch` statements. A static discriminant whose case tests fold runs the
 * matching cases' bodies in place; otherwise the switch stays, its case
 * bodies each evaluated from the environment at its head.
 */
import type { Node } from "../ast.js";
import { Specializer, id, type Env, pushFix } from "./specializer.js";
import { D, type Val } from "./values.js";
import { markForeign, ranForeign } from "./foreign-state.js";

declare module "./specializer.js" {
  interface Specializer {
    switchStatement(n: Node, labels: string[]): void;
  }
}

const P = Specializer.prototype;

P.switchStatement = function (this: Specializer, n: Node, labels: string[]): void {
  const disc = this.stable(this.expr(n.discriminant), "sw");
  if (!this.env) return;
  const cases = n.cases as Node[];
  const t = this.newTarget({ labels, breakable: true });
  if (disc.k === "s") {
    let start = -1;
    let dynamicTest = false;
    for (let i = 0; i < cases.length && start < 0; i++) {
      const c = cases[i]!;
      if (!c.test) continue;
      const p = this.probe(() => this.expr(c.test));
      if (p.result.k !== "s" || p.emitted.length) {
        p.undo();
        dynamicTest = true;
        break;
      }
      p.commit();
      if (disc.v === p.result.v) start = i;
    }
    if (!dynamicTest) {
      if (start < 0) start = cases.findIndex((c) => !c.test);
      if (start < 0) return;
      const bodyStart = this.out.length;
      this.withTarget(t, () => {
        const body = this.collect(() => {
          for (let i = start; i < cases.length && this.env; i++) this.statements(cases[i]!.consequent);
        });
        this.out.push({ type: "BlockStatement", body });
      });
      if (t.label) {
        const inner = this.out.splice(bodyStart);
        this.out.push({ type: "LabeledStatement", label: id(t.label), body: { type: "BlockStatement", body: inner } });
      }
      return;
    }
  }
  // Dynamic dispatch: a residual switch whose case bodies start from one environment.
  this.escapeReferencedIn(cases);
  const variant = this.slotsAssignedIn(cases);
  for (const s of variant) this.materialize(s);
  // Case tests run lazily, in order, until one matches: each stays in its `case`, and one that would
  // need statements of its own (which would run before the switch) is kept as written.
  const tests: Val[] = cases.filter((c) => c.test).map((c) => {
    const p = this.probe(() => this.expr(c.test));
    if (p.emitted.length) {
      p.undo();
      return D(this.verbatim(c.test));
    }
    p.commit();
    return p.result;
  });
  const head = this.env!;
  this.dynDepth++;
  const residualCases: Node[] = [];
  let ti = 0;
  t.dynDepth = this.dynDepth - 1;
  this.targets.push(t);
  let fallEnv: Env | null = null;
  // A case entered only by its test matching (the case before it cannot fall through) knows the
  // discriminant's value there, while every test so far was a constant (none ran code).
  let testsConstant = true;
  for (const c of cases) {
    this.env = new Map(head);
    // Entered by falling through too: after what the case before it ran (foreign-state.ts).
    if (fallEnv && ranForeign(fallEnv)) markForeign(this.env);
    const tv = c.test ? tests[ti] : null;
    if (tv && tv.k !== "s") testsConstant = false;
    if (tv && tv.k === "s" && testsConstant && (c === cases[0] || !fallEnv) && n.discriminant.type === "Identifier") this.narrowToValue(n.discriminant, tv.v);
    const test = c.test ? this.residual(tests[ti++]!) : null;
    const body = this.collect(() => {
      this.statements(c.consequent);
      if (this.env) for (const s of variant) this.materialize(s);
    });
    fallEnv = this.env;
    residualCases.push({ type: "SwitchCase", test, consequent: body });
  }
  this.targets.pop();
  this.dynDepth--;
  const edges = [...t.edges];
  if (this.env) edges.push({ env: this.env, fix: residualCases.length ? pushFix(residualCases.at(-1)!.consequent) : [] });
  if (!cases.some((c) => !c.test)) edges.push({ env: head, fix: [] });
  // Jumps out of a residual switch are `break`s: label it when a jump named it.
  const sw: Node = { type: "SwitchStatement", discriminant: this.residual(disc), cases: residualCases };
  this.env = this.merge(edges.map((e) => ({ ...e })));
  if (!cases.some((c) => !c.test) && edges.at(-1)!.fix.length) {
    // The no-match path needs its fix-ups too: give the switch a default that does them.
    const last = residualCases.at(-1);
    if (last) last.consequent.push({ type: "BreakStatement", label: null });
    residualCases.push({ type: "SwitchCase", test: null, consequent: edges.at(-1)!.fix });
  }
  this.out.push(t.label ? { type: "LabeledStatement", label: id(t.label), body: sw } : sw);
};
