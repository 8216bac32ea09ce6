import { realpath, stat } from 'node:fs/promises';
import { resolve } from 'node:path';
import type { Bus, TokenEstimator } from '@bulwark/core';
import { defineOptions, option, parseOptions } from '@bulwark/core/internal';
import { FileAccessError } from '../file-access-error.js';
import type { SafeRootOptions } from '../safe-root.js';
import { defaultEstimator } from './default-estimator.js';
import { refusalFromErrno } from './errno.js';
import { busRule, estimatorRule, invalidUtf8Choices } from './option-rules.js';
import { type JailRoot, openInside, resolveInside } from './resolve-inside.js';

/** The options of `openSafeRoot`, each declared once with its default. */
export const safeRootOptions = defineOptions<SafeRootOptions>()({
  followSymlinks: option.boolean({ default: false }),
  maxFileBytes: option.number({ min: 0, integer: true, default: 10 * 1024 * 1024 }),
  allowBinary: option.boolean({ default: false }),
  invalidUtf8: option.oneOf(invalidUtf8Choices, { default: 'refuse' }),
  // Its default, the shared `@bulwark/tokens` estimator, is made on first use.
  estimator: estimatorRule,
  bus: busRule,
});

/** What every method of a safe root works from: the jail, the root's defaults, the estimator, the bus. */
export interface RootContext {
  readonly jail: JailRoot;
  readonly maxFileBytes: number;
  readonly allowBinary: boolean;
  readonly invalidUtf8: 'replace' | 'refuse';
  readonly estimator: TokenEstimator;
  readonly bus: Bus | undefined;
}

/** Checks the options and the root itself (it must exist and be a directory). */
export async function openRootContext(
  root: string,
  options: SafeRootOptions | undefined,
): Promise<RootContext> {
  const settings = parseOptions('options', options, safeRootOptions);
  const givenRoot = resolve(root);
  let realRoot: string;
  try {
    realRoot = await realpath(givenRoot);
  } catch (error) {
    throw refusalFromErrno(error, root);
  }
  if (!(await stat(realRoot)).isDirectory()) {
    throw new FileAccessError({
      path: root,
      reason: 'not_a_file',
      message: `The root \`${root}\` is not a directory`,
    });
  }
  return {
    jail: { realRoot, givenRoot, followSymlinks: settings.followSymlinks },
    maxFileBytes: settings.maxFileBytes,
    allowBinary: settings.allowBinary,
    invalidUtf8: settings.invalidUtf8,
    estimator: settings.estimator ?? defaultEstimator(),
    bus: settings.bus,
  };
}

/** Reports a refusal on the bus (`file:refused`), then rethrows `error`, whatever it is. */
export function refuse(context: RootContext, error: unknown): never {
  if (FileAccessError.isInstance(error)) {
    context.bus?.emit('file:refused', { path: error.path, reason: error.reason, message: error.message });
  }
  throw error;
}

/** Opens `path` for reading after resolving it inside the root (refusals not yet reported). */
export async function openInRoot(context: RootContext, path: string) {
  const real = await resolveInside(context.jail, path);
  return openInside(context.jail, path, real);
}
