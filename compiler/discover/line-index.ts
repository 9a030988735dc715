/**
 * Lines of a source text, with the terminators V8 and acorn both count
 * (\n, \r\n, \r, U+2028, U+2029). Kept per script: an array of line starts,
 * small next to the text, so positions survive when the parsed tree is dropped.
 */
export class LineIndex {
  private readonly starts: number[] = [0];

  constructor(readonly source: string) {
    const re = /\r\n?|\n|\u2028|\u2029/g;
    for (let m = re.exec(source); m; m = re.exec(source)) this.starts.push(m.index + m[0].length);
  }

  /** Offset of a 0-based line and column, or -1 past the end. */
  offsetOf(line: number, column: number): number {
    const start = this.starts[line];
    return start === undefined ? -1 : start + column;
  }

  /** 1-based line and 0-based column of an offset. */
  positionOf(offset: number): { line: number; column: number } {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - this.starts[lo]! };
  }

  /** The text of 0-based line `i` without its terminator, or null past the end. */
  lineText(i: number): string | null {
    const start = this.starts[i];
    if (start === undefined) return null;
    const next = this.starts[i + 1];
    return this.source.slice(start, next === undefined ? this.source.length : next).replace(/(\r\n?|\n|\u2028|\u2029)$/, "");
  }
}
