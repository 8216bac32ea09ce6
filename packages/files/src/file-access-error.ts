import { BulwarkError, type FileRefusalReason } from '@bulwark/core';

const fileAccessMarker = 'bulwark.error.file_access';
const fileAccessSymbol = Symbol.for(fileAccessMarker);

/**
 * A path was refused: it leaves the root, passes a symlink that is not allowed, is not a
 * regular file, is too large, binary, badly encoded, missing or not readable. `reason` is
 * the same union as the `file:refused` event's.
 */
export class FileAccessError extends BulwarkError {
  readonly [fileAccessSymbol] = true;
  /** The path as the caller gave it. */
  readonly path: string;
  readonly reason: FileRefusalReason;

  constructor({
    path,
    reason,
    message,
    cause,
  }: { path: string; reason: FileRefusalReason; message: string; cause?: unknown }) {
    super({ message, code: 'file_access', cause });
    this.name = 'FileAccessError';
    this.path = path;
    this.reason = reason;
  }

  static override isInstance(error: unknown): error is FileAccessError {
    return BulwarkError.hasMarker(error, fileAccessMarker);
  }
}
