import type Anthropic from '@anthropic-ai/sdk';
import { InvalidArgumentError } from '@bulwark/core';
import {
  createRequestId,
  expectString,
  invalidArgument,
  parseOptions,
  pickOptions,
} from '@bulwark/core/internal';
import {
  type CreateMessageOptions,
  createMessageOptions,
  type GetCompletionOptions,
  getCompletionOptions,
  type ResumeFromCheckpointOptions,
  resumeFromCheckpointOptions,
} from '../call-options.js';
import { isStreamCheckpoint } from './checkpointer.js';
import { MessageSnapshot } from './message-snapshot.js';
import { runRequest } from './request-run.js';
import type { ClientSettings } from './settings.js';
import { decideStreaming } from './streaming-decision.js';
import { validateMessageParams } from './validate-request.js';

/** The methods of a streaming client: each checks its input, then runs a request. */
export class StreamingClientRunner {
  constructor(readonly settings: ClientSettings) {}

  async createMessage(
    params: Anthropic.MessageCreateParams,
    options: CreateMessageOptions = {},
  ): Promise<Anthropic.Message> {
    validateMessageParams(params);
    const call = parseOptions('options', options, createMessageOptions);
    const { requestId = createRequestId(), checkpointKey } = call;
    const { streaming, reason } = decideStreaming(params, {
      mode: this.settings.streaming,
      thresholdTokens: this.settings.streamingThresholdTokens,
    });
    const { stream: _stream, ...request } = params;
    return runRequest(this.settings, {
      ...pickOptions(call, resumeFromCheckpointOptions),
      params: request as Anthropic.MessageCreateParamsNonStreaming,
      streaming,
      streamingReason: reason,
      requestId,
      snapshot: new MessageSnapshot(),
      continueSnapshot: false,
      checkpointKey: this.settings.checkpoints ? (checkpointKey ?? requestId) : undefined,
    });
  }

  async getCompletion(prompt: string, options: GetCompletionOptions): Promise<string> {
    expectString('prompt', prompt, { allowEmpty: false });
    const parsed = parseOptions('options', options, getCompletionOptions);
    const { maxTokens, model = this.settings.defaultModel, system, signal, onText } = parsed;
    if (maxTokens === undefined) throw invalidArgument('options.maxTokens', 'an integer >= 1', maxTokens);
    const message = await this.createMessage(
      {
        model,
        max_tokens: maxTokens,
        messages: [{ role: 'user', content: prompt }],
        ...(system === undefined ? {} : { system }),
      },
      { signal, onText },
    );
    let text = '';
    for (const block of message.content) if (block.type === 'text') text += block.text;
    return text;
  }

  async resumeFromCheckpoint(
    key: string,
    options: ResumeFromCheckpointOptions = {},
  ): Promise<Anthropic.Message> {
    expectString('key', key);
    const call = parseOptions('options', options, resumeFromCheckpointOptions);
    const store = this.settings.checkpoints;
    if (!store) {
      throw new InvalidArgumentError({
        argument: 'options.checkpoints',
        value: undefined,
        message: 'resumeFromCheckpoint needs the client to be created with a `checkpoints` store',
      });
    }
    const record = await store.load(key);
    if (!isStreamCheckpoint(record)) {
      throw invalidArgument('key', 'the key of a saved stream checkpoint', key);
    }
    return runRequest(this.settings, {
      ...call,
      params: record.params,
      streaming: record.streaming,
      streamingReason: record.streamingReason,
      requestId: record.requestId,
      snapshot: MessageSnapshot.fromState(record.snapshot),
      continueSnapshot: true,
      checkpointKey: key,
    });
  }
}
