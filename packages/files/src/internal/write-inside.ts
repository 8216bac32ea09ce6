import { dirname, join, relative } from 'node:path';
import { invalidArgument } from '@bulwark/core/internal';
import { FileAccessError } from '../file-access-error.js';
import { type WriteFileAtomicOptions, writeFileAtomic } from '../write-file-atomic.js';
import { lexicalRelative, resolveInside } from './resolve-inside.js';
import { type RootContext, refuse } from './root-context.js';

/**
 * `SafeRoot.writeFileAtomic`: the directory must resolve inside the root, and so must an
 * existing target (a followed symlink is written through); refusals are reported on the bus.
 */
export async function writeInside(
  context: RootContext,
  path: string,
  data: string | Uint8Array,
  options: WriteFileAtomicOptions | undefined,
): Promise<void> {
  const { jail } = context;
  try {
    const rel = lexicalRelative(jail, path);
    if (rel === '') throw invalidArgument('path', 'a file path inside the root', path);
    const directory = await resolveInside(jail, dirname(rel));
    const target = join(directory, relative(dirname(rel), rel));
    const existing = await resolveInside(jail, relative(jail.realRoot, target)).catch((error: unknown) => {
      // A target that does not exist yet is the normal case: it is created.
      if (!FileAccessError.isInstance(error) || error.reason !== 'not_found') throw error;
      return undefined;
    });
    await writeFileAtomic(existing ?? target, data, options);
  } catch (error) {
    refuse(context, error);
  }
}
