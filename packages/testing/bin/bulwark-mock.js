#!/usr/bin/env node
// The `bulwark-mock` command. Its code is compiled to dist/ (shipped in the package, built by
// `pnpm build` in the repository); this launcher is committed so that installing the workspace
// can link the command before anything is built.
try {
  await import('../dist/bin.js');
} catch (error) {
  const missing = error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/bin.js');
  process.stderr.write(
    missing
      ? 'bulwark-mock: @bulwark/testing is not built yet; run `pnpm build` at the repository root first.\n'
      : `bulwark-mock: ${error?.stack ?? error}\n`,
  );
  process.exit(1);
}
