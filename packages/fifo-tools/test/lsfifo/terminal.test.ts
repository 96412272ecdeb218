// Whether the boxed table fits the terminal is decided on its width on screen, not its length.
import { describe, expect, it } from 'vitest';
import { textWidth } from '../../src/lsfifo/terminal.js';

describe('textWidth', () => {
  it('counts a CJK character or an emoji as two columns, a combining mark as none', () => {
    // Counted by code points, a table of CJK names was taken to fit a terminal it overflowed.
    expect(textWidth('│ /tmp/日本語 │')).toBe(15);
    expect(textWidth('😀x')).toBe(3);
    expect(textWidth('e\u0301')).toBe(1);
  });

  it('gives the widest line, escape sequences taking no room', () => {
    expect(textWidth('\u001b[1mPATH\u001b[22m\nab\n')).toBe(4);
    expect(textWidth('a\n日本\nabc')).toBe(4);
  });
});
