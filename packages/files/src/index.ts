export type { Chunk, ChunkFormat } from './chunk.js';
export { type ChunkTextOptions, chunkText } from './chunk-text.js';
export type {
  CollectContextOptions,
  CollectedContext,
  ContextFile,
  ContextOmission,
  ContextOmissionReason,
} from './collect-context.js';
export { FileAccessError } from './file-access-error.js';
export { createFileCheckpointStore, type FileCheckpointStoreOptions } from './file-checkpoint-store.js';
export {
  type ChunkFileOptions,
  chunkFile,
  openSafeRoot,
  type ReadTextOptions,
  type SafeRoot,
  type SafeRootOptions,
} from './safe-root.js';
export { type WriteFileAtomicOptions, writeFileAtomic } from './write-file-atomic.js';
