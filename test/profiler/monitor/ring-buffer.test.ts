import { describe, expect, it } from "vitest";
import { RingBuffer } from "../../../profiler/monitor/ring-buffer.js";
import { KosError } from "../../../errors.js";

describe("RingBuffer", () => {
  it("holds values oldest first until full", () => {
    const r = new RingBuffer(4);
    expect(r.size).toBe(0);
    expect(Number.isNaN(r.latest())).toBe(true);
    r.push(1);
    r.push(2);
    r.push(3);
    expect(r.size).toBe(3);
    expect([...r.toArray()]).toEqual([1, 2, 3]);
    expect(r.at(0)).toBe(1);
    expect(r.latest()).toBe(3);
  });

  it("overwrites the oldest value once full and keeps order across the wrap", () => {
    const r = new RingBuffer(3);
    for (let i = 1; i <= 8; i++) r.push(i);
    expect(r.size).toBe(3);
    expect([...r.toArray()]).toEqual([6, 7, 8]);
    expect([r.at(0), r.at(1), r.at(2)]).toEqual([6, 7, 8]);
    expect(Number.isNaN(r.at(3))).toBe(true);
    expect(Number.isNaN(r.at(-1))).toBe(true);
    expect(r.latest()).toBe(8);
  });

  it("matches a naive model over many pushes", () => {
    const r = new RingBuffer(7);
    const model: number[] = [];
    for (let i = 0; i < 100; i++) {
      r.push(i * 1.5);
      model.push(i * 1.5);
      if (model.length > 7) model.shift();
      expect([...r.toArray()]).toEqual(model);
    }
  });

  it("clears", () => {
    const r = new RingBuffer(2);
    r.push(1);
    r.clear();
    expect(r.size).toBe(0);
    expect(r.toArray().length).toBe(0);
  });

  it("rejects a bad capacity with a KosError", () => {
    expect(() => new RingBuffer(0)).toThrow(KosError);
    expect(() => new RingBuffer(2.5)).toThrow(/positive integer/);
  });
});
