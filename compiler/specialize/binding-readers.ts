/**
 * Calls of binding readers: a function whose whole body returns one binding of a scope it closes
 * over, where that binding can change after jit (`function getDefaultOptions() { return
 * defaultOptions; }` over a module `let` that `setDefaultOptions` reassigns). Generated code cannot
 * read the binding by name (it lives in the library's module), so inlining the reader fails and the
 * call stayed a call: every read of what it returned was a read of a dynamic object. date-fns's
 * `format` takes its locale this way, and its `localize.day`, `localize.month` and
 * `ordinalNumber` stayed calls of the generic locale.
 *
 * Folded instead like a read of an unfrozen object (guarded-reads.ts): the value the binding holds
 * now, behind a guard that calls the reader again (`getDefaultOptions() === $k_value`), at entry or
 * where a speculation re-checks after foreign code. Calling it there is unobservable: it runs no
 * code but the read, and an initialised binding never returns to its temporal dead zone.
 */
import type { Node } from "../ast.js";
import { Specializer } from "./specializer.js";
import { S, type Val } from "./values.js";
import type { FnInfo } from "./fn-info.js";
import { MAX_CONTENT_GUARDS } from "./guarded-reads.js";

declare module "./specializer.js" {
  interface Specializer {
    bindingReaderCall(info: FnInfo, args: Val[]): Val | null;
  }
}

const P = Specializer.prototype;

/** The name a reader returns, or null when `info` is anything but `() => name` / `function () { return name; }`. */
function readName(info: FnInfo): string | null {
  const node = info.node;
  if (node.async || node.generator || (node.params as Node[]).length > 0 || info.usesThis || info.usesArguments) return null;
  let ret: Node | null = null;
  if (node.expression) ret = node.body;
  else if (node.body?.type === "BlockStatement" && node.body.body.length === 1 && node.body.body[0].type === "ReturnStatement") ret = node.body.body[0].argument;
  if (!ret || ret.type !== "Identifier" || ret.name === "undefined" || ret.name === "arguments") return null;
  return info.freeNames.includes(ret.name) ? ret.name : null;
}

P.bindingReaderCall = function (this: Specializer, info: FnInfo, args: Val[]): Val | null {
  if (args.length > 0 || this.options.freeze !== "guard") return null;
  const name = readName(info);
  if (name === null) return null;
  const found = this.options.lookupFree(info.fn, name, true);
  // A binding that never changes is read by inlining the reader as usual.
  if (!found.found || found.stable) return null;
  this.contentGuards ??= [];
  // After foreign code the binding may have been reassigned: a speculation re-checks it there.
  this.staleMiss = true;
  if (this.foreignRan || this.contentGuards.length >= MAX_CONTENT_GUARDS) return null;
  const value = found.value;
  if (!this.contentGuards.some((g) => g.reader && g.obj === info.fn)) this.contentGuards.push({ obj: info.fn, key: "", value, reader: true });
  return S(value);
};
