import type { Chunk } from '../chunk.js';
import { chunkPieces } from './chunk-engine.js';
import { chunkFileOptions, maxChunkChars, parseChunkOptions } from './chunk-options.js';
import { counterFor } from './counter.js';
import { byteLengthIn } from './decode.js';
import { filePieces } from './file-pieces.js';
import { formatOf } from './format-of.js';
import { readAt, sniff } from './read-handle.js';
import { openInRoot, type RootContext, refuse } from './root-context.js';

/**
 * Bytes read and decoded at a time by `chunkFile`. Small enough that the decoded block and the
 * window built from it stay out of V8's large-object space and die young: with 1 MiB blocks
 * every block left two large strings behind for the old generation, and peak RSS rose to about
 * 200 MB on a 100 MB file before a major collection, against about 110 MB with 64 KiB.
 */
const blockBytes = 64 * 1024;

/** `SafeRoot.chunkFile`: the file's chunks, read block by block; each chunk and refusal reported on the bus. */
export async function* chunkFileIn(
  context: RootContext,
  path: string,
  options: unknown,
): AsyncGenerator<Chunk> {
  const settings = parseChunkOptions('options', options, chunkFileOptions);
  const handle = await openInRoot(context, path).catch((error: unknown) => refuse(context, error));
  try {
    let detected: ReturnType<typeof sniff>;
    try {
      detected = sniff(await readAt(handle, 8192, 0), path, settings.allowBinary ?? context.allowBinary);
    } catch (error) {
      refuse(context, error);
    }
    const { encoding, bomLength } = detected;
    const count = await counterFor(settings.estimator ?? context.estimator);
    const { signal } = settings;
    const chunks = chunkPieces(
      filePieces(handle, path, { encoding, startByte: bomLength, blockBytes, signal }),
      {
        maxTokens: settings.maxTokens,
        overlapTokens: settings.overlapTokens,
        count,
        format: settings.format ?? formatOf(path),
        byteLength: byteLengthIn(encoding),
        firstByte: bomLength,
        signal,
        maxChunkChars,
      },
    );
    try {
      for await (const chunk of chunks) {
        const { index, tokenCount, byteStart, byteEnd, lineStart, lineEnd } = chunk;
        context.bus?.emit('file:chunk', { path, index, tokenCount, byteStart, byteEnd, lineStart, lineEnd });
        yield chunk;
      }
    } catch (error) {
      refuse(context, error);
    }
  } finally {
    await handle.close();
  }
}
