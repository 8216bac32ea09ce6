/**
 * `bulwark/node`: everything `bulwark` exports, plus a `createClient` with the file features
 * that need Node: checkpoints in a directory (`checkpointDir`) and token-budgeted chunking of
 * files inside a root (`chunkFile`).
 */

export { type Chunk, type ChunkFileOptions, FileAccessError } from '@bulwark/files';
export * from './index.js';
export {
  createClient,
  type NodeBulwarkClient,
  type NodeClientOptions,
  type NodeDashboardOptions,
} from './node-client.js';
