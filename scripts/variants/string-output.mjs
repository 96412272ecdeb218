// smartcols/output.ts for a bench build without the byte buffer (scripts/build.mjs --without
// byte-output): the same TextOutput, collecting string pieces and joining them at the end.
export function encodeText(text) {
  return { text, bytes: undefined, wide: false };
}

export function specialCharacters(codes) {
  const specials = new Uint8Array(0x80);
  specials.fill(1, 0, 0x20);
  specials[0x7f] = 1;
  for (let i = 0; i < codes.length; i++) specials[codes.charCodeAt(i)] = 1;
  return specials;
}

export const STRING = -1;
export const HEX32 = -2;

const hex32 = (value) => `0x${(value >>> 0).toString(16).padStart(8, '0')}`;

export class TextOutput {
  pieces = [];

  write(text) {
    this.pieces.push(text);
  }

  writePlain(text, specials) {
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x80 || specials[code] !== 0) return false;
    }
    this.pieces.push(text);
    return true;
  }

  writeEncoded(text) {
    this.pieces.push(text.text);
  }

  writeAfterSpaces(count, text) {
    this.pieces.push(' '.repeat(count), text);
  }

  spaces(count) {
    this.pieces.push(' '.repeat(count));
  }

  decimal(value, width = 0) {
    this.pieces.push(String(value).padEnd(width));
  }

  hex32(value) {
    this.pieces.push(hex32(value));
  }

  line(formats, fields) {
    let line = '';
    for (let i = 0; i < fields.length; i++) {
      const field = fields[i];
      const format = formats[i];
      if (i > 0) line += ' ';
      if (typeof field === 'string') line += field;
      else if (format === HEX32) line += hex32(field);
      else line += String(field).padEnd(format);
    }
    this.pieces.push(`${line}\n`);
  }

  toString() {
    return this.pieces.join('');
  }
}
