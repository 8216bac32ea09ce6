import { FileAccessError } from '../file-access-error.js';

/** The `code` of a Node system error, if it is one. */
export function errnoCode(error: unknown): string | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' ? code : undefined;
}

/** Turns a system error met while resolving or opening `path` into a `FileAccessError`, or rethrows it. */
export function refusalFromErrno(error: unknown, path: string): FileAccessError {
  if (FileAccessError.isInstance(error)) return error;
  switch (errnoCode(error)) {
    case 'ENOENT':
    case 'ENOTDIR':
      return new FileAccessError({
        path,
        reason: 'not_found',
        message: `No file at \`${path}\``,
        cause: error,
      });
    case 'EACCES':
    case 'EPERM':
      return new FileAccessError({
        path,
        reason: 'permission',
        message: `Permission denied for \`${path}\``,
        cause: error,
      });
    case 'ELOOP':
      return new FileAccessError({
        path,
        reason: 'symlink_escape',
        message: `\`${path}\` is or passes through a symbolic link that is refused (or loops)`,
        cause: error,
      });
    case 'ENXIO':
    case 'ENODEV':
    case 'EISDIR':
      return new FileAccessError({
        path,
        reason: 'not_a_file',
        message: `\`${path}\` is not a regular file`,
        cause: error,
      });
    default:
      throw error;
  }
}
