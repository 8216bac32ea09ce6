/** The encodings Bulwark reads: UTF-8 (with or without BOM) and UTF-16 announced by a BOM. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

export interface DetectedEncoding {
  encoding: TextEncodingName;
  /** Bytes of byte-order mark at the start of the file (stripped from the text). */
  bomLength: number;
}

/** Reads the byte-order mark, if any; no BOM means UTF-8. */
export function detectEncoding(head: Uint8Array): DetectedEncoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  return { encoding: 'utf-8', bomLength: 0 };
}

/** How many bytes of the start of a file binary detection looks at. */
export const binarySniffBytes = 8192;

/**
 * True when the first bytes look binary: any NUL byte, or more than 10 % control bytes other
 * than tab, newline, carriage return, form feed, vertical tab, backspace and escape. Only
 * meaningful for UTF-8 (UTF-16 text is full of NULs: detect the BOM first).
 */
export function looksBinary(head: Uint8Array): boolean {
  const length = Math.min(head.length, binarySniffBytes);
  let control = 0;
  for (let index = 0; index < length; index += 1) {
    const byte = head[index]!;
    if (byte === 0) return true;
    if (
      byte < 32 &&
      byte !== 9 &&
      byte !== 10 &&
      byte !== 13 &&
      byte !== 12 &&
      byte !== 11 &&
      byte !== 8 &&
      byte !== 27
    ) {
      control += 1;
    }
  }
  return length > 0 && control / length > 0.1;
}

/** The byte length of `text` in `encoding`. */
export function byteLengthIn(encoding: TextEncodingName): (text: string) => number {
  return encoding === 'utf-8' ? (text) => Buffer.byteLength(text, 'utf8') : (text) => text.length * 2;
}
