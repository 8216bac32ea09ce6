import type Anthropic from '@anthropic-ai/sdk';
import type { Bus } from '@bulwark/core';
import type {
  CreateMessageOptions,
  GetCompletionOptions,
  ResumeFromCheckpointOptions,
} from './call-options.js';
import { StreamingClientRunner } from './internal/client-runner.js';
import { parseClientSettings } from './internal/settings.js';
import type { StreamingClientOptions } from './options.js';

export interface StreamingClient {
  /** Sends a Messages API request and resolves to the final message, however many attempts it took. */
  createMessage(
    params: Anthropic.MessageCreateParams,
    options?: CreateMessageOptions,
  ): Promise<Anthropic.Message>;
  /** One user prompt in, the answer's text out. */
  getCompletion(prompt: string, options: GetCompletionOptions): Promise<string>;
  /** Finishes a request whose process died, from its checkpoint under `key`. */
  resumeFromCheckpoint(key: string, options?: ResumeFromCheckpointOptions): Promise<Anthropic.Message>;
  /** The bus events go to. */
  readonly bus: Bus;
  /** The SDK client requests go through. */
  readonly client: Anthropic;
}

/**
 * A client for the Messages API that finishes long work: it streams when a request is big,
 * retries transient failures itself (the SDK's retries off, so they never stack), resumes a
 * broken stream instead of starting over, detects stalls, reports progress and checkpoints.
 * Bad options throw `InvalidArgumentError` naming the option.
 */
export function createStreamingClient(options: StreamingClientOptions = {}): StreamingClient {
  const runner = new StreamingClientRunner(parseClientSettings(options));
  // Bound, so the methods keep working when destructured from the client.
  return {
    bus: runner.settings.bus,
    client: runner.settings.client,
    createMessage: runner.createMessage.bind(runner),
    getCompletion: runner.getCompletion.bind(runner),
    resumeFromCheckpoint: runner.resumeFromCheckpoint.bind(runner),
  };
}
