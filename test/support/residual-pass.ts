/**
 * Runs one residual pass on `function f(v, w) { body }` and gives the changed flag, the
 * generated source and both functions (before and after), for differential checks.
 */
import { parse } from "acorn";
import { generate } from "astring";

export function runResidualPass(pass: (fn: any) => boolean, body: string) {
  const program = parse(`function f(v, w) { ${body} }`, { ecmaVersion: "latest" }) as any;
  const fn = program.body[0];
  const changed = pass(fn);
  const out = generate(fn);
  return { changed, out, f: new Function("v", "w", body), g: new Function(`return ${out}`)() };
}
