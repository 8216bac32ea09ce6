import { cliUsage, parseCliOptions } from './internal/cli-options.js';
import { startMockServer } from './start-mock-server.js';

async function main(): Promise<void> {
  const options = parseCliOptions(process.argv.slice(2));
  if (!options) {
    process.stdout.write(cliUsage);
    return;
  }
  const server = await startMockServer(options);
  process.stdout.write(
    `bulwark-mock listening on ${server.url} (seed ${options.seed ?? 1}, ${options.tokensPerSecond} tokens/s)\n` +
      `Use it with: new Anthropic({ apiKey: 'test-key', baseURL: '${server.url}' })\n`,
  );
  const stop = (): void => {
    void server.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`bulwark-mock: ${(error as Error).message}\n\n${cliUsage}`);
  process.exit(1);
});
