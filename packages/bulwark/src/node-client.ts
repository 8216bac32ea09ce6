import { InvalidArgumentError, priceOf } from '@bulwark/core';
import { expectObject, expectString } from '@bulwark/core/internal';
import type { Dashboard } from '@bulwark/dashboard';
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
  /**
   * Starts the live dashboard (`@bulwark/dashboard`, an optional peer dependency, loaded only
   * then) on the client's bus, with its prices; `close()` stops it. @default none
   */
  dashboard?: NodeDashboardOptions;
}

/** Where the dashboard listens; see `@bulwark/dashboard`'s `startDashboard`. */
export interface NodeDashboardOptions {
  /** @default 0 (a free port) */
  port?: number;
  /** Anything but loopback needs `token`. @default '127.0.0.1' */
  host?: string;
  /** A secret every dashboard request must carry. @default none */
  token?: string;
  /** @default 'Bulwark' */
  title?: string;
}

export interface NodeBulwarkClient extends BulwarkClient {
  /** A file's chunks within `maxTokens` each, read in bounded memory, inside `fileRoot`. */
  chunkFile(path: string, options: ChunkFileOptions): AsyncGenerator<Chunk>;
  /** The dashboard's URL once it listens; `undefined` without the `dashboard` option. Rejects if it could not start. */
  dashboardUrl(): Promise<string | undefined>;
}

/**
 * `createClient` of `bulwark`, plus `checkpointDir` (a checkpoint store on disk) and
 * `chunkFile` (files of any size inside `fileRoot`, cut into token-budgeted chunks with the
 * client's estimator and events on its bus).
 */
export function createClient(options: NodeClientOptions = {}): NodeBulwarkClient {
  const { checkpointDir, fileRoot, dashboard: dashboardOptions, ...portable } = options;
  if (dashboardOptions !== undefined) expectObject('options.dashboard', dashboardOptions);
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
  const dashboard: Promise<Dashboard> | undefined =
    dashboardOptions === undefined
      ? undefined
      : import('@bulwark/dashboard').then(({ startDashboard }) =>
          startDashboard({
            ...dashboardOptions,
            bus: client.bus,
            pricesOf: (model) => priceOf(model, portable.prices),
          }),
        );
  // Failing to start is reported by dashboardUrl() and close(), not as an unhandled rejection.
  dashboard?.catch(() => undefined);
  return Object.assign(client, {
    async *chunkFile(path: string, chunkOptions: ChunkFileOptions): AsyncGenerator<Chunk> {
      if (closed) throw new ClientClosedError();
      safeRoot ??= openSafeRoot(fileRoot ?? process.cwd(), { estimator: client.estimator, bus: client.bus });
      yield* (await safeRoot).chunkFile(path, chunkOptions);
    },
    async dashboardUrl() {
      return (await dashboard)?.url;
    },
    async close(closeOptions?: { abortInFlight?: boolean }) {
      closed = true;
      await close(closeOptions);
      await (await dashboard)?.close();
    },
  });
}
