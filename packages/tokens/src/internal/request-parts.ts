import type { MessageRequestLike, TokenEstimatePart } from '@bulwark/core';
import {
  contentBlockParamTypes,
  expectObject,
  expectOneOf,
  expectString,
  invalidArgument,
  serverToolResultBlockTypes,
} from '@bulwark/core/internal';
import { requestOverheads as overheads } from '../request-overheads.js';
import { base64DecodedLength } from './base64-bytes.js';
import { type CountText, estimatePart, expectArray, toJson } from './estimate-parts.js';
import { documentParts, imagePart } from './media-parts.js';
import { toolParts } from './tool-parts.js';

/** Result blocks of server tools: their rendering in the prompt is not public, so their JSON is counted. */
const serverResultTypes = new Set<string>(serverToolResultBlockTypes);

/** The block types a `tool_result` may hold. */
const toolResultBlockTypes = ['text', 'image', 'search_result', 'document', 'tool_reference'];

/**
 * Walks a Messages API request and produces the raw token count of each part, validating the
 * shape on the way (an `InvalidArgumentError` names the path of the first bad field).
 */
export class RequestPartCounter {
  readonly parts: TokenEstimatePart[] = [];

  constructor(private readonly countText: CountText) {}

  walk(request: MessageRequestLike): void {
    const body = expectObject('request', request);
    expectString('request.model', body.model);
    this.add('request', 'overhead', overheads.requestTokens, true, 'requestTokens');
    if (body.system !== undefined && body.system !== null) this.system(body.system);
    expectArray('request.messages', body.messages).forEach((message, index) => {
      this.message(`messages[${index}]`, message);
    });
    if (body.tools !== undefined && body.tools !== null) {
      this.parts.push(...toolParts(body.tools, body.tool_choice, this.countText));
    }
  }

  private add(path: string, kind: string, tokens: number, exact = true, note?: string): void {
    this.parts.push(estimatePart(path, kind, tokens, exact, note));
  }

  /** Counts a string field of a block, which may be empty. */
  private text(field: string, value: unknown): number {
    return this.countText(expectString(field, value, { allowEmpty: true }));
  }

  private system(system: unknown): void {
    this.add('system', 'overhead', overheads.systemTokens, true, 'systemTokens');
    if (typeof system === 'string') {
      this.add('system', 'text', this.countText(system));
      return;
    }
    expectArray('request.system', system).forEach((block, index) => {
      const path = `system[${index}]`;
      const fields = expectObject(`request.${path}`, block);
      expectOneOf(`request.${path}.type`, fields.type, ['text']);
      this.add(path, 'text', this.text(`request.${path}.text`, fields.text));
    });
  }

  private message(path: string, message: unknown): void {
    const fields = expectObject(`request.${path}`, message);
    expectOneOf(`request.${path}.role`, fields.role, ['user', 'assistant', 'system']);
    this.add(path, 'overhead', overheads.messageTokens, true, 'messageTokens');
    const content = fields.content;
    if (typeof content === 'string') {
      this.add(`${path}.content`, 'text', this.countText(content));
      return;
    }
    expectArray(`request.${path}.content`, content).forEach((block, index) => {
      const blockPath = `${path}.content[${index}]`;
      if (index > 0) {
        this.add(blockPath, 'overhead', overheads.blockSeparatorTokens, true, 'blockSeparatorTokens');
      }
      this.block(blockPath, block);
    });
  }

  private block(path: string, block: unknown): void {
    const fields = expectObject(`request.${path}`, block);
    const type = expectOneOf(`request.${path}.type`, fields.type, contentBlockParamTypes);
    switch (type) {
      case 'text':
        this.add(path, 'text', this.text(`request.${path}.text`, fields.text));
        return;
      case 'image':
        this.parts.push(imagePart(path, fields.source));
        return;
      case 'document':
        this.parts.push(...documentParts(path, fields, this.countText));
        return;
      case 'search_result':
        this.searchResult(path, fields);
        return;
      case 'thinking':
        this.add(
          path,
          'thinking',
          this.text(`request.${path}.thinking`, fields.thinking),
          true,
          'thinking text counted; some models drop thinking blocks of earlier turns from the prompt',
        );
        return;
      case 'redacted_thinking':
        this.redactedThinking(path, fields);
        return;
      case 'tool_use':
      case 'server_tool_use':
        this.toolUse(path, type, fields);
        return;
      case 'tool_result':
        this.toolResult(path, fields);
        return;
      case 'container_upload':
        expectString(`request.${path}.file_id`, fields.file_id);
        this.add(
          path,
          type,
          this.countText(toJson(path, fields)),
          false,
          'uploaded file: its contents are not in the request',
        );
        return;
      default:
        this.serverToolResult(path, type, fields);
    }
  }

  private redactedThinking(path: string, fields: Record<string, unknown>): void {
    const data = expectString(`request.${path}.data`, fields.data, { allowEmpty: true });
    // Encrypted: its tokens are unknown. Assume the plaintext was about as long as the ciphertext's bytes, at 4 bytes a token.
    this.add(
      path,
      'redacted_thinking',
      Math.ceil(base64DecodedLength(data) / 4),
      false,
      'encrypted thinking: size guessed from its length',
    );
  }

  private toolUse(path: string, type: string, fields: Record<string, unknown>): void {
    const name = expectString(`request.${path}.name`, fields.name);
    expectString(`request.${path}.id`, fields.id);
    if (!('input' in fields)) throw invalidArgument(`request.${path}.input`, 'present', undefined);
    const tokens = this.countText(name) + this.countText(toJson(`request.${path}.input`, fields.input));
    this.add(path, type, tokens + overheads.toolUseTokens, true, 'toolUseTokens');
  }

  private serverToolResult(path: string, type: string, fields: Record<string, unknown>): void {
    if (!serverResultTypes.has(type))
      throw invalidArgument(`request.${path}.type`, 'a known block type', type);
    if (!('content' in fields)) throw invalidArgument(`request.${path}.content`, 'present', undefined);
    this.add(
      path,
      type,
      this.countText(toJson(`request.${path}.content`, fields.content)) + overheads.toolResultTokens,
      false,
      'server tool result: its rendering is not public, its JSON is counted',
    );
  }

  private searchResult(path: string, fields: Record<string, unknown>): void {
    let tokens =
      overheads.documentTokens +
      this.text(`request.${path}.source`, fields.source) +
      this.text(`request.${path}.title`, fields.title);
    expectArray(`request.${path}.content`, fields.content).forEach((block, index) => {
      const blockPath = `request.${path}.content[${index}]`;
      const blockFields = expectObject(blockPath, block);
      expectOneOf(`${blockPath}.type`, blockFields.type, ['text']);
      tokens += this.text(`${blockPath}.text`, blockFields.text);
    });
    this.add(path, 'search_result', tokens, true, 'documentTokens');
  }

  private toolResult(path: string, fields: Record<string, unknown>): void {
    expectString(`request.${path}.tool_use_id`, fields.tool_use_id);
    this.add(path, 'tool_result', overheads.toolResultTokens, true, 'toolResultTokens');
    const content = fields.content;
    if (content === undefined || content === null) return;
    if (typeof content === 'string') {
      this.add(`${path}.content`, 'text', this.countText(content));
      return;
    }
    expectArray(`request.${path}.content`, content).forEach((block, index) => {
      const blockPath = `${path}.content[${index}]`;
      const blockFields = expectObject(`request.${blockPath}`, block);
      expectOneOf(`request.${blockPath}.type`, blockFields.type, toolResultBlockTypes);
      this.block(
        blockPath,
        blockFields.type === 'tool_reference'
          ? { type: 'text', text: String(blockFields.tool_name ?? '') }
          : block,
      );
    });
  }
}
