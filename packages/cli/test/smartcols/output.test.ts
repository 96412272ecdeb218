// TextOutput: a string built as bytes must come out exactly as the same pieces joined as strings,
// whatever they hold (ASCII, other UTF-16, lone surrogates) and however often the buffer grows.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { encodeText, HEX32, STRING, specialCharacters, TextOutput } from '../../src/smartcols/output.js';

/** What each operation appends, as a string. */
type Step =
  | { op: 'write'; text: string }
  | { op: 'spaces'; count: number }
  | { op: 'decimal'; value: number; width: number }
  | { op: 'hex32'; value: number }
  | { op: 'encoded'; text: string }
  | { op: 'afterSpaces'; count: number; text: string }
  | { op: 'line'; formats: number[]; fields: (number | string)[] };

function expected(step: Step): string {
  switch (step.op) {
    case 'write':
    case 'encoded':
      return step.text;
    case 'spaces':
      return ' '.repeat(step.count);
    case 'decimal':
      return String(step.value).padEnd(step.width);
    case 'hex32':
      return `0x${(step.value >>> 0).toString(16).padStart(8, '0')}`;
    case 'afterSpaces':
      return ' '.repeat(step.count) + step.text;
    case 'line':
      return `${step.fields
        .map((field, i) => {
          if (typeof field === 'string') return field;
          if (step.formats[i] === HEX32) return `0x${(field >>> 0).toString(16).padStart(8, '0')}`;
          return String(field).padEnd(Math.max(step.formats[i]!, 0));
        })
        .join(' ')}\n`;
  }
}

function apply(out: TextOutput, step: Step): void {
  if (step.op === 'write') out.write(step.text);
  else if (step.op === 'spaces') out.spaces(step.count);
  else if (step.op === 'decimal') out.decimal(step.value, step.width);
  else if (step.op === 'hex32') out.hex32(step.value);
  else if (step.op === 'encoded') out.writeEncoded(encodeText(step.text));
  else if (step.op === 'afterSpaces') out.writeAfterSpaces(step.count, step.text);
  else out.line(step.formats, step.fields);
}

const text = fc.oneof(
  fc.string({ maxLength: 40 }),
  fc.string({ unit: 'binary', maxLength: 20 }),
  fc.constantFrom('', 'root', 'é', '\ud800', 'a\udc00b', '😀', '\u2028', 'x'.repeat(300)),
);
const number = fc.oneof(
  fc.integer({ min: 0, max: 0xffff_ffff }),
  fc.constantFrom(-0, -1, 1.5, 2 ** 32, 2 ** 53 - 1, 2 ** 53, 2 ** 64, 1e21, Number.NaN),
);
const step: fc.Arbitrary<Step> = fc.oneof(
  fc.record({ op: fc.constant('write' as const), text }),
  fc.record({ op: fc.constant('spaces' as const), count: fc.integer({ min: 0, max: 30 }) }),
  fc.record({ op: fc.constant('decimal' as const), value: number, width: fc.integer({ min: 0, max: 12 }) }),
  fc.record({ op: fc.constant('hex32' as const), value: fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 }) }),
  fc.record({ op: fc.constant('encoded' as const), text }),
  fc.record({ op: fc.constant('afterSpaces' as const), count: fc.integer({ min: 0, max: 12 }), text }),
  fc
    .array(
      fc.oneof(
        fc.tuple(fc.constant(STRING), text),
        fc.tuple(fc.constant(HEX32), fc.integer({ min: -(2 ** 31), max: 2 ** 32 - 1 })),
        fc.tuple(fc.integer({ min: 0, max: 12 }), number),
      ),
      { maxLength: 8 },
    )
    .map((fields) => ({
      op: 'line' as const,
      formats: fields.map(([format]) => format),
      fields: fields.map(([, field]) => field),
    })),
);

describe('TextOutput', () => {
  it('gives the string its pieces would make, from any capacity', () => {
    fc.assert(
      fc.property(fc.array(step, { maxLength: 40 }), fc.integer({ min: 0, max: 64 }), (steps, capacity) => {
        const out = new TextOutput(capacity);
        for (const each of steps) apply(out, each);
        expect(out.toString()).toBe(steps.map(expected).join(''));
      }),
    );
  });

  it('keeps a lone surrogate and everything after it exactly', () => {
    const out = new TextOutput();
    out.write('a');
    out.write('é\ud800z');
    out.decimal(42, 4);
    out.line([HEX32, STRING], [255, 'q']);
    expect(out.toString()).toBe('aé\ud800z42  0x000000ff q\n');
  });

  it('writes plain text only: nothing marked, nothing above U+007F', () => {
    const specials = specialCharacters('"\\');
    const out = new TextOutput();
    expect(out.writePlain('abc def', specials)).toBe(true);
    expect(out.writePlain('a"b', specials)).toBe(false);
    expect(out.writePlain('tab\t', specials)).toBe(false);
    expect(out.writePlain('del\x7f', specials)).toBe(false);
    expect(out.writePlain('é', specials)).toBe(false);
    expect(out.toString()).toBe('abc def');
  });
});
