import { describe, expect, it } from 'vitest';
import { DESCRIBE_LAYOUT, TABLE_LAYOUT, tabwrite } from './tabwriter.js';

describe('tabwrite (Go text/tabwriter, left-aligned)', () => {
  it('pads each column to its widest cell plus padding and leaves the last cell alone', () => {
    const text = 'NAME\tREADY\tAGE\nweb-1\t1/1\t5m\n';
    expect(tabwrite(text, TABLE_LAYOUT)).toBe('NAME    READY   AGE\nweb-1   1/1     5m\n');
  });

  it('never makes a column narrower than minWidth', () => {
    expect(tabwrite('A\tB\n1\t2\n', TABLE_LAYOUT)).toBe('A     B\n1     2\n');
  });

  it('aligns only contiguous lines that have a cell in the column (column blocks)', () => {
    const text = 'Name:\tweb\nIPs:\n  IP:\t10.0.0.1\nControlled By:\tReplicaSet/x\n';
    expect(tabwrite(text, DESCRIBE_LAYOUT)).toBe(
      'Name:  web\nIPs:\n  IP:           10.0.0.1\nControlled By:  ReplicaSet/x\n',
    );
  });

  it('sizes inner columns only over the lines that reach them', () => {
    const text = 'a:\tb\tc\nlonger key:\tx\n';
    expect(tabwrite(text, DESCRIBE_LAYOUT)).toBe('a:           b  c\nlonger key:  x\n');
  });

  it('counts characters, not bytes', () => {
    expect(tabwrite('é\tx\nab\ty\n', { minWidth: 0, padding: 1 })).toBe('é  x\nab y\n');
  });
});
