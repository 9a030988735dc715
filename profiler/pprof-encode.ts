/**
 * The protocol-buffer bytes of a pprof profile (github.com/google/pprof, proto/profile.proto), for
 * the fields `kos profile` writes: sample types, samples (locations, values, labels), locations
 * with one line each, functions, the string table, time, duration and period.
 *
 * Why not pprof-format's `Profile.encode`: it measures every nested message again at each level
 * and splits every number into a two-element array, and encoding the DSP program's 130-node profile
 * took 4-9 ms warm, 8-14 ms cold (bench/programs/dsp.ts at 15000, Node 20.20.2): the longest step
 * between the profiled command's exit and `kos profile`'s. pprof-format still reads the files back
 * (pprof.ts readPprof), and the tests compare what it decodes from both encoders.
 */

/** A growable byte buffer with protobuf's writers. Numbers are non-negative integers below 2^53. */
class ProtoWriter {
  private bytes = new Uint8Array(1024);
  length = 0;

  private room(n: number): void {
    if (this.length + n <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + n) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.bytes.subarray(0, this.length));
    this.bytes = next;
  }

  varint(v: number): void {
    this.room(10);
    // Above 2^31 the bitwise operators would truncate: divide while the value is large.
    while (v > 0x7fffffff) {
      this.bytes[this.length++] = (v % 128) | 128;
      v = Math.floor(v / 128);
    }
    while (v > 127) {
      this.bytes[this.length++] = (v & 127) | 128;
      v >>>= 7;
    }
    this.bytes[this.length++] = v;
  }

  bigVarint(v: bigint): void {
    this.room(10);
    while (v > 127n) {
      this.bytes[this.length++] = Number(v & 127n) | 128;
      v >>= 7n;
    }
    this.bytes[this.length++] = Number(v);
  }

  /** A varint field; zero is proto3's default and is left out. */
  uint(field: number, v: number): void {
    if (v === 0) return;
    this.varint(field << 3);
    this.varint(v);
  }

  /** A length-delimited field holding `raw`. */
  raw(field: number, raw: Uint8Array): void {
    this.varint((field << 3) | 2);
    this.varint(raw.length);
    this.room(raw.length);
    this.bytes.set(raw, this.length);
    this.length += raw.length;
  }

  /** A submessage, written by `body` into a writer of its own. */
  message(field: number, body: (w: ProtoWriter) => void): void {
    const w = new ProtoWriter();
    body(w);
    this.raw(field, w.finish());
  }

  /** A packed repeated varint field, zeros included (they hold positions). */
  packed(field: number, values: readonly number[]): void {
    if (values.length === 0) return;
    const w = new ProtoWriter();
    for (const v of values) w.varint(v);
    this.raw(field, w.finish());
  }

  finish(): Uint8Array {
    return this.bytes.subarray(0, this.length);
  }
}

export interface PprofValueType {
  type: number;
  unit: number;
}

export interface PprofSample {
  locationIds: number[];
  values: number[];
  labels: Array<{ key: number; str: number }>;
}

export interface PprofLocation {
  id: number;
  functionId: number;
  line: number;
}

export interface PprofFunction {
  id: number;
  name: number;
  systemName: number;
  filename: number;
  startLine: number;
}

/** A pprof profile; every string is an index into `strings`, whose first entry is "". */
export interface PprofProfile {
  sampleTypes: PprofValueType[];
  samples: PprofSample[];
  locations: PprofLocation[];
  functions: PprofFunction[];
  strings: string[];
  timeNanos: bigint;
  durationNanos: number;
  periodType: PprofValueType;
  period: number;
}

const valueType = (t: PprofValueType) => (w: ProtoWriter) => {
  w.uint(1, t.type);
  w.uint(2, t.unit);
};

/** The profile's protobuf bytes (not gzipped). */
export function encodePprof(p: PprofProfile): Uint8Array {
  const w = new ProtoWriter();
  for (const t of p.sampleTypes) w.message(1, valueType(t));
  for (const s of p.samples) {
    w.message(2, (m) => {
      m.packed(1, s.locationIds);
      m.packed(2, s.values);
      for (const l of s.labels) {
        m.message(3, (lw) => {
          lw.uint(1, l.key);
          lw.uint(2, l.str);
        });
      }
    });
  }
  for (const l of p.locations) {
    w.message(4, (m) => {
      m.uint(1, l.id);
      m.message(4, (lw) => {
        lw.uint(1, l.functionId);
        lw.uint(2, l.line);
      });
    });
  }
  for (const f of p.functions) {
    w.message(5, (m) => {
      m.uint(1, f.id);
      m.uint(2, f.name);
      m.uint(3, f.systemName);
      m.uint(4, f.filename);
      m.uint(5, f.startLine);
    });
  }
  const utf8 = new TextEncoder();
  for (const s of p.strings) w.raw(6, utf8.encode(s));
  if (p.timeNanos !== 0n) {
    w.varint(9 << 3);
    w.bigVarint(p.timeNanos);
  }
  w.uint(10, p.durationNanos);
  w.message(11, valueType(p.periodType));
  w.uint(12, p.period);
  return w.finish();
}
