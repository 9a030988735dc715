import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { sha256Hex } from "../../profiler/sha256.js";
import { sourceHash } from "../../profiler/profile-file.js";

const native = (text: string) => createHash("sha256").update(text).digest("hex");

describe("sha256Hex", () => {
  it("gives node:crypto's digest at every length around the block and padding edges", () => {
    expect(sha256Hex("")).toBe("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    expect(sha256Hex("abc")).toBe("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    for (let n = 0; n < 260; n++) {
      const text = "x".repeat(n);
      expect(sha256Hex(text), `length ${n}`).toBe(native(text));
    }
  });

  it("hashes UTF-8 as node:crypto does: multi-byte characters, astral ones, lone surrogates", () => {
    let seed = 7;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) >>> 0) % n);
    const pieces = ["a", "é", "☃", "😀", "\uD800", "\uDC00", "\n", "function f(x) { return x * 2; }", "\u0000", "ß"];
    for (let i = 0; i < 300; i++) {
      let text = "";
      const parts = rnd(80);
      for (let k = 0; k < parts; k++) text += pieces[rnd(pieces.length)];
      expect(sha256Hex(text), JSON.stringify(text)).toBe(native(text));
    }
    const big = "function big() {\n" + "  total += values[i] * 3.5; // ☃\n".repeat(5000) + "}";
    expect(sha256Hex(big)).toBe(native(big));
  });

  it("is the source hash profiles join functions by, small texts and, past the script budget, large ones", () => {
    const text = "function hot(a, b) { return a + b; }";
    expect(sourceHash(text)).toBe(native(text));
    const large = "function large() {\n" + "  x += 1; // ☃\n".repeat(3000) + "}";
    expect(sourceHash(large)).toBe(native(large));
    expect(sourceHash(text)).toBe(native(text));
  });
});
