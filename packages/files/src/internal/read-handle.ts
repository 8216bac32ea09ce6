import type { FileHandle } from 'node:fs/promises';
import { FileAccessError } from '../file-access-error.js';
import { binarySniffBytes, type DetectedEncoding, detectEncoding, looksBinary } from './decode.js';

export interface ReadPolicy {
  maxBytes: number;
  allowBinary: boolean;
  invalidUtf8: 'replace' | 'refuse';
}

/** Refuses a file larger than `maxBytes` from its descriptor's size, before reading a byte. */
export async function checkSize(handle: FileHandle, path: string, maxBytes: number): Promise<number> {
  const { size } = await handle.stat();
  if (size > maxBytes) throw tooLarge(path, size, maxBytes);
  return size;
}

function tooLarge(path: string, size: number, maxBytes: number): FileAccessError {
  return new FileAccessError({
    path,
    reason: 'too_large',
    message: `\`${path}\` has ${size} bytes, more than the limit of ${maxBytes} (option \`maxBytes\`)`,
  });
}

/** Reads up to `length` bytes from `position`. */
export async function readAt(handle: FileHandle, length: number, position: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await handle.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

/** Looks at the first bytes: the encoding from a BOM, and a refusal when they look binary. */
export function sniff(head: Uint8Array, path: string, allowBinary: boolean): DetectedEncoding {
  const detected = detectEncoding(head);
  if (detected.encoding === 'utf-8' && !allowBinary && looksBinary(head.subarray(0, binarySniffBytes))) {
    throw new FileAccessError({
      path,
      reason: 'binary',
      message: `\`${path}\` looks binary (NUL bytes or many control bytes); pass \`allowBinary\` to read it anyway`,
    });
  }
  return detected;
}

export function encodingRefusal(path: string, detail: string, cause?: unknown): FileAccessError {
  return new FileAccessError({ path, reason: 'encoding', message: `\`${path}\` ${detail}`, cause });
}

/** Reads a whole (size-checked) file as text, following `policy`. */
export async function readTextFromHandle(
  handle: FileHandle,
  path: string,
  policy: ReadPolicy,
): Promise<string> {
  const size = await checkSize(handle, path, policy.maxBytes);
  // Read one byte past the limit, in case the file grew after the size check.
  const bytes = await readAt(handle, Math.min(size, policy.maxBytes) + 1, 0);
  if (bytes.length > policy.maxBytes) throw tooLarge(path, bytes.length, policy.maxBytes);
  const { encoding, bomLength } = sniff(bytes, path, policy.allowBinary);
  const body = bytes.subarray(bomLength);
  const fatal = encoding !== 'utf-8' || policy.invalidUtf8 === 'refuse';
  try {
    return new TextDecoder(encoding, { fatal, ignoreBOM: true }).decode(body);
  } catch (error) {
    throw encodingRefusal(path, `is not valid ${encoding.toUpperCase()}`, error);
  }
}
