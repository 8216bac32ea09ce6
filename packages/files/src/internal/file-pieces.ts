import type { FileHandle } from 'node:fs/promises';
import { throwIfAborted } from '@bulwark/core/internal';
import type { TextEncodingName } from './decode.js';
import { encodingRefusal, readAt } from './read-handle.js';

/**
 * Decodes a file block by block, reading one block ahead. A multi-byte sequence split between blocks is carried over
 * by the streaming decoder, so no piece ends inside a character; invalid bytes are refused,
 * because a replacement character would break the byte offsets of every chunk after it.
 */
export async function* filePieces(
  handle: FileHandle,
  path: string,
  {
    encoding,
    startByte,
    blockBytes,
    signal,
  }: {
    encoding: TextEncodingName;
    startByte: number;
    blockBytes: number;
    signal: AbortSignal | undefined;
  },
): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
  let position = startByte;
  // The next block is read while the caller works on this one. Not ignored: the catch only
  // marks the rejection handled, so a read that fails after the caller stopped listening is not
  // an unhandled rejection; a read the caller waits for still throws at the `await` below.
  const readNext = (from: number): Promise<Buffer> => {
    const pending = readAt(handle, blockBytes, from);
    pending.catch(() => undefined);
    return pending;
  };
  let next = readNext(position);
  for (;;) {
    throwIfAborted(signal);
    const block = await next;
    position += block.length;
    if (block.length > 0) next = readNext(position);
    let text: string;
    try {
      text = block.length === 0 ? decoder.decode() : decoder.decode(block, { stream: true });
    } catch (error) {
      throw encodingRefusal(
        path,
        `is not valid ${encoding.toUpperCase()} near byte ${position - block.length}`,
        error,
      );
    }
    if (text.length > 0) yield text;
    if (block.length === 0) return;
  }
}
