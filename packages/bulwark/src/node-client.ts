import { InvalidArgumentError } from '@bulwark/core';
import { expectString } from '@bulwark/core/internal';
import {
  type Chunk,
  type ChunkFileOptions,
  createFileCheckpointStore,
  openSafeRoot,
  type SafeRoot,
} from '@bulwark/files';
import { ClientClosedError } from './client-closed-error.js';
import {
  type BulwarkClient,
  type BulwarkClientOptions,
  createClient as createPortableClient,
} from './create-client.js';

/** The options of `bulwark/node`'s `createClient`: the portable ones, plus files on disk. */
export interface NodeClientOptions extends BulwarkClientOptions {
  /** Save partial answers in this directory (atomically), for `resumeFromCheckpoint`. @default none */
  checkpointDir?: string;
  /** The directory `chunkFile` paths resolve inside of. @default process.cwd() */
  fileRoot?: string;
}

export interface NodeBulwarkClient extends BulwarkClient {
  /** A file's chunks within `maxTokens` each, read in bounded memory, inside `fileRoot`. */
  chunkFile(path: string, options: ChunkFileOptions): AsyncGenerator<Chunk>;
}

/**
 * `createClient` of `bulwark`, plus `checkpointDir` (a checkpoint store on disk) and
 * `chunkFile` (files of any size inside `fileRoot`, cut into token-budgeted chunks with the
 * client's estimator and events on its bus).
 */
export function createClient(options: NodeClientOptions = {}): NodeBulwarkClient {
  const { checkpointDir, fileRoot, ...portable } = options;
  if (checkpointDir !== undefined) {
    expectString('options.checkpointDir', checkpointDir);
    if (portable.checkpoints !== undefined) {
      throw new InvalidArgumentError({
        argument: 'options.checkpointDir',
        value: checkpointDir,
        message: 'Give either `checkpointDir` or `checkpoints`, not both',
      });
    }
  }
  if (fileRoot !== undefined) expectString('options.fileRoot', fileRoot);
  const client = createPortableClient({
    ...portable,
    ...(checkpointDir === undefined
      ? {}
      : { checkpoints: createFileCheckpointStore({ directory: checkpointDir }) }),
  });
  let closed = false;
  let safeRoot: Promise<SafeRoot> | undefined;
  const close = client.close;
  return Object.assign(client, {
    async *chunkFile(path: string, chunkOptions: ChunkFileOptions): AsyncGenerator<Chunk> {
      if (closed) throw new ClientClosedError();
      safeRoot ??= openSafeRoot(fileRoot ?? process.cwd(), { estimator: client.estimator, bus: client.bus });
      yield* (await safeRoot).chunkFile(path, chunkOptions);
    },
    close(closeOptions?: { abortInFlight?: boolean }) {
      closed = true;
      return close(closeOptions);
    },
  });
}
