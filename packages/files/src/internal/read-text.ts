import { defineOptions, option, parseOptions } from '@bulwark/core/internal';
import type { ReadTextOptions } from '../safe-root.js';
import { invalidUtf8Choices } from './option-rules.js';
import { readTextFromHandle } from './read-handle.js';
import { openInRoot, type RootContext, refuse } from './root-context.js';

/** The options of `readText`; each left out takes the root's own setting. */
export const readTextOptions = defineOptions<ReadTextOptions>()({
  maxBytes: option.number({ min: 0, integer: true }),
  allowBinary: option.boolean(),
  invalidUtf8: option.oneOf(invalidUtf8Choices),
  signal: option.signal(),
});

/** `SafeRoot.readText`: the whole file as text, refusals reported on the root's bus. */
export async function readTextIn(context: RootContext, path: string, options: unknown): Promise<string> {
  const settings = parseOptions('options', options, readTextOptions);
  settings.signal?.throwIfAborted();
  try {
    const handle = await openInRoot(context, path);
    try {
      return await readTextFromHandle(handle, path, {
        maxBytes: settings.maxBytes ?? context.maxFileBytes,
        allowBinary: settings.allowBinary ?? context.allowBinary,
        invalidUtf8: settings.invalidUtf8 ?? context.invalidUtf8,
      });
    } finally {
      await handle.close();
    }
  } catch (error) {
    return refuse(context, error);
  }
}
