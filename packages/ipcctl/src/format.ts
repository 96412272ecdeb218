/** How ipcctl shows bytes and records: hexdump -C, one escaped line, typed JSON with base64 bytes. */

/** hexdump -C: offset, 16 bytes in two groups of 8, printable ASCII; repeated lines as `*`. */
export function formatHexdump(data: Uint8Array, start = 0): string {
  const hexdump = new Hexdump(start);
  return hexdump.push(data) + hexdump.end();
}

/**
 * hexdump -C of bytes that come in parts (a segment larger than one string can show): each
 * part but the last a multiple of 16 bytes; a repeat that spans parts is still one `*`.
 */
export class Hexdump {
  #offset: number;
  #previous: string | undefined;
  #starred = false;
  #seen = false;

  constructor(start = 0) {
    this.#offset = start;
  }

  /** The lines of the next part. */
  push(data: Uint8Array): string {
    let lines = '';
    for (let offset = 0; offset < data.length; offset += 16) {
      const row = data.subarray(offset, offset + 16);
      const key = Buffer.from(row).toString('latin1');
      if (row.length === 16 && key === this.#previous) {
        if (!this.#starred) lines += '*\n';
        this.#starred = true;
        continue;
      }
      this.#previous = row.length === 16 ? key : undefined;
      this.#starred = false;
      let hex = '';
      let text = '';
      for (let i = 0; i < 16; i++) {
        const byte = row[i];
        hex += byte === undefined ? '   ' : `${byte.toString(16).padStart(2, '0')} `;
        if (i === 7) hex += ' ';
        if (byte !== undefined) text += byte >= 0x20 && byte < 0x7f ? String.fromCharCode(byte) : '.';
      }
      lines += `${offsetOf(this.#offset + offset)}  ${hex} |${text}|\n`;
    }
    this.#offset += data.length;
    if (data.length > 0) this.#seen = true;
    return lines;
  }

  /** The closing offset line (none for no bytes at all). */
  end(): string {
    return this.#seen ? `${offsetOf(this.#offset)}\n` : '';
  }
}

function offsetOf(n: number): string {
  return n.toString(16).padStart(8, '0');
}

/** Bytes on one line: printable ASCII as is, `\\`, `\n`, `\t` and `\xHH` for the rest. */
export function escapeBytes(data: Uint8Array): string {
  let text = '';
  for (const byte of data) {
    if (byte === 0x5c) text += '\\\\';
    else if (byte === 0x0a) text += '\\n';
    else if (byte === 0x09) text += '\\t';
    else if (byte >= 0x20 && byte < 0x7f) text += String.fromCharCode(byte);
    else text += `\\x${byte.toString(16).padStart(2, '0')}`;
  }
  return text;
}

/** One JSON document and a newline; bytes become `{ "size": N, "data": BASE64 }` fields. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(value)}\n`;
}

export function bytesFields(data: Uint8Array): { size: number; data: string } {
  return {
    size: data.length,
    data: Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString('base64'),
  };
}
