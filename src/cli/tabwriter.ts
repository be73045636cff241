// Go's text/tabwriter (the left-aligned, space-padded subset), because kubectl prints every table and every
// `describe` through it: cells end with '\t'; tab-terminated cells in contiguous lines form a column, padded to
// max(minWidth, widest cell + padding). The last cell of a line belongs to no column and is never padded, and a
// line with fewer cells ends the column blocks to its right — which is what gives `describe` its look.

export interface TabWriterOptions {
  /** Minimal column width, padding included (kubectl tables: 6; describe: 0). */
  minWidth: number;
  /** Spaces added to the widest cell of a column (kubectl tables: 3; describe: 2). */
  padding: number;
}

export const TABLE_LAYOUT: TabWriterOptions = { minWidth: 6, padding: 3 };
export const DESCRIBE_LAYOUT: TabWriterOptions = { minWidth: 0, padding: 2 };

/** Formats `text` (lines of tab-separated cells) as Go's tabwriter would. */
export function tabwrite(text: string, opts: TabWriterOptions): string {
  const lines = text.split('\n').map((l) => l.split('\t'));
  const out: string[] = [];
  const widths: number[] = [];

  const writeLines = (line0: number, line1: number) => {
    for (let i = line0; i < line1; i++) {
      const cells = lines[i];
      let s = '';
      cells.forEach((cell, j) => {
        s += cell;
        if (j < widths.length && j < cells.length - 1) s += ' '.repeat(Math.max(0, widths[j] - width(cell)));
      });
      out.push(s);
    }
  };

  const format = (line0: number, line1: number) => {
    const column = widths.length;
    for (let current = line0; current < line1; current++) {
      if (column >= lines[current].length - 1) continue;
      // A column block begins at `current`: print the lines before it, then size the block.
      writeLines(line0, current);
      line0 = current;
      let w = opts.minWidth;
      for (; current < line1; current++) {
        const cells = lines[current];
        if (column >= cells.length - 1) break;
        w = Math.max(w, width(cells[column]) + opts.padding);
      }
      widths.push(w);
      format(line0, current);
      widths.pop();
      line0 = current; // the line that ended the block has no cell in this column: the loop skips it
    }
    writeLines(line0, line1);
  };

  format(0, lines.length);
  return out.join('\n');
}

/** Display width in code points (Go counts runes). */
export function width(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}
