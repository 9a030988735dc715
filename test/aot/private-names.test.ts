/**
 * The compiler's `privateNames` option, which only kos build passes (it
 * places the code inside the class body): private member reads, writes,
 * updates and `#x in o` stay residual; other private forms still refuse,
 * and without the option (runtime jit) every `#x` refuses as before.
 */
import { describe, it, expect } from "vitest";
import { specializeToSource } from "../../compiler/index.js";

class Sample {
  #x = 1;
  static #n = 0;
  #m() { return 2; }
  read(k: number) { return this.#x + k; }
  write(k: number) { this.#x = k; this.#x += 2; this.#x++; Sample.#n--; return #x in this; }
  call() { return this.#m(); }
  chain(o: Sample | null) { return o?.#x; }
  destructure(a: number[]) { [this.#x] = a; return this.#x; }
  forOf(a: number[]) { for (this.#x of a); return 0; }
  nested() { return class { #y = 1; get() { return this.#y; } }; }
}
const P = Sample.prototype as unknown as Record<string, Function>;

describe("compiler option privateNames (kos build only)", () => {
  it("the class's methods keep their private names in source (the test needs them)", () => {
    expect(Function.prototype.toString.call(P.read)).toContain("this.#x");
  });

  it("without it, every private name refuses with USES_PRIVATE_NAME, as at run time", () => {
    for (const m of ["read", "write"]) {
      const r = specializeToSource(P[m]!, {});
      expect(r.ok, m).toBe(false);
      expect(r.fallbackReason, m).toMatch(/^USES_PRIVATE_NAME/);
    }
  });

  it("with it, reads, writes, compound and update assignments and `#x in o` stay residual as written", () => {
    const read = specializeToSource(P.read!, { privateNames: true });
    expect(read.ok, read.fallbackReason ?? "").toBe(true);
    expect(read.source).toContain("this.#x + k");
    const write = specializeToSource(P.write!, { privateNames: true });
    expect(write.ok, write.fallbackReason ?? "").toBe(true);
    for (const part of ["this.#x = k", "this.#x += 2", "this.#x++", "#x in this"]) expect(write.source, part).toContain(part);
    expect(write.source).toMatch(/#n--/);
  });

  it("with it, the other forms still refuse, naming the construct and its line", () => {
    const want: Record<string, RegExp> = {
      call: /^USES_PRIVATE_NAME: .*calls a private method \(#m\)/,
      chain: /^USES_PRIVATE_NAME: .*optional chain \(#x\)/,
      destructure: /^USES_PRIVATE_NAME: .*destructuring target \(#x\)/,
      forOf: /^USES_PRIVATE_NAME: .*for-in\/of target \(#x\)/,
      nested: /^USES_PRIVATE_NAME: .*class inside the function declares private names \(#y\)/,
    };
    for (const [m, re] of Object.entries(want)) {
      const r = specializeToSource(P[m]!, { privateNames: true });
      expect(r.ok, m).toBe(false);
      expect(r.fallbackReason, m).toMatch(re);
      expect(r.fallbackReason, m).toMatch(/line \d+|:\d+:\d+/);
    }
  });
});
