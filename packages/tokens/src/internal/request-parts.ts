import type { MessageRequestLike, TokenEstimatePart } from '@bulwark/core';
import {
  contentBlockParamTypes,
  expectObject,
  expectOneOf,
  expectString,
  invalidArgument,
  serverToolResultBlockTypes,
} from '@bulwark/core/internal';
import { imageTokens, requestOverheads as overheads } from '../request-overheads.js';
import { base64DecodedLength, decodeBase64Prefix } from './base64-bytes.js';
import { readImageDimensions } from './image-dimensions.js';
import { countPdfPages } from './pdf-pages.js';

type CountText = (text: string) => number;

/** Result blocks of server tools: their rendering in the prompt is not public, so their JSON is counted. */
const serverResultTypes = new Set<string>(serverToolResultBlockTypes);

function expectArray(path: string, value: unknown): readonly unknown[] {
  if (!Array.isArray(value)) throw invalidArgument(path, 'an array', value);
  return value;
}

/** `JSON.stringify` that never throws on cycles or BigInt (the SDK would refuse them anyway). */
function toJson(path: string, value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    throw invalidArgument(path, 'JSON-serialisable', value);
  }
}

/**
 * Walks a Messages API request and produces the raw token count of each part, validating the
 * shape on the way (an `InvalidArgumentError` names the path of the first bad field).
 */
export class RequestPartCounter {
  private readonly countText: CountText;
  readonly parts: TokenEstimatePart[] = [];

  constructor(countText: CountText) {
    this.countText = countText;
  }

  private add(path: string, kind: string, tokens: number, exact = true, note?: string): void {
    const part: TokenEstimatePart = { path, kind, tokens, exact };
    if (note !== undefined) part.note = note;
    this.parts.push(part);
  }

  walk(request: MessageRequestLike): void {
    const body = expectObject('request', request);
    expectString('request.model', body.model);
    this.add('request', 'overhead', overheads.requestTokens, true, 'requestTokens');
    if (body.system !== undefined && body.system !== null) this.system(body.system);
    const messages = expectArray('request.messages', body.messages);
    messages.forEach((message, index) => {
      this.message(`messages[${index}]`, message);
    });
    if (body.tools !== undefined && body.tools !== null) this.tools(body.tools, body.tool_choice);
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
      this.add(
        path,
        'text',
        this.countText(expectString(`request.${path}.text`, fields.text, { allowEmpty: true })),
      );
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
    const blocks = expectArray(`request.${path}.content`, content);
    blocks.forEach((block, index) => {
      if (index > 0)
        this.add(
          `${path}.content[${index}]`,
          'overhead',
          overheads.blockSeparatorTokens,
          true,
          'blockSeparatorTokens',
        );
      this.block(`${path}.content[${index}]`, block);
    });
  }

  private block(path: string, block: unknown): void {
    const fields = expectObject(`request.${path}`, block);
    const type = expectOneOf(`request.${path}.type`, fields.type, contentBlockParamTypes);
    const field = (name: string) => `request.${path}.${name}`;
    switch (type) {
      case 'text':
        this.add(
          path,
          'text',
          this.countText(expectString(field('text'), fields.text, { allowEmpty: true })),
        );
        return;
      case 'image':
        this.image(path, fields.source);
        return;
      case 'document':
        this.document(path, fields);
        return;
      case 'search_result':
        this.searchResult(path, fields);
        return;
      case 'thinking':
        this.add(
          path,
          'thinking',
          this.countText(expectString(field('thinking'), fields.thinking, { allowEmpty: true })),
          true,
          'thinking text counted; some models drop thinking blocks of earlier turns from the prompt',
        );
        return;
      case 'redacted_thinking': {
        const data = expectString(field('data'), fields.data, { allowEmpty: true });
        // Encrypted: its tokens are unknown. Assume the plaintext was about as long as the ciphertext's bytes, at 4 bytes a token.
        this.add(
          path,
          'redacted_thinking',
          Math.ceil(base64DecodedLength(data) / 4),
          false,
          'encrypted thinking: size guessed from its length',
        );
        return;
      }
      case 'tool_use':
      case 'server_tool_use': {
        const name = expectString(field('name'), fields.name);
        expectString(field('id'), fields.id);
        if (!('input' in fields)) throw invalidArgument(field('input'), 'present', undefined);
        const tokens = this.countText(name) + this.countText(toJson(field('input'), fields.input));
        this.add(path, type, tokens + overheads.toolUseTokens, true, 'toolUseTokens');
        return;
      }
      case 'tool_result':
        this.toolResult(path, fields);
        return;
      case 'container_upload':
        expectString(field('file_id'), fields.file_id);
        this.add(
          path,
          type,
          this.countText(toJson(path, fields)),
          false,
          'uploaded file: its contents are not in the request',
        );
        return;
      default: {
        if (!serverResultTypes.has(type)) throw invalidArgument(field('type'), 'a known block type', type);
        if (!('content' in fields)) throw invalidArgument(field('content'), 'present', undefined);
        this.add(
          path,
          type,
          this.countText(toJson(field('content'), fields.content)) + overheads.toolResultTokens,
          false,
          'server tool result: its rendering is not public, its JSON is counted',
        );
      }
    }
  }

  private image(path: string, source: unknown): void {
    const fields = expectObject(`request.${path}.source`, source);
    const sourceType = expectOneOf(`request.${path}.source.type`, fields.type, ['base64', 'url', 'file']);
    const documented = Math.ceil(overheads.imageMaxPixels / overheads.imagePixelsPerToken);
    if (sourceType !== 'base64') {
      this.add(
        path,
        'image',
        documented,
        false,
        `${sourceType} image of unknown size: counted at the documented maximum (~${documented} tokens)`,
      );
      return;
    }
    expectString(`request.${path}.source.media_type`, fields.media_type);
    const data = expectString(`request.${path}.source.data`, fields.data);
    const bytes = decodeBase64Prefix(data);
    if (bytes === undefined) throw invalidArgument(`request.${path}.source.data`, 'base64', data);
    const dimensions = readImageDimensions(bytes);
    if (dimensions === undefined) {
      this.add(
        path,
        'image',
        documented,
        false,
        'unreadable image header: counted at the documented maximum',
      );
      return;
    }
    this.add(
      path,
      'image',
      imageTokens(dimensions.width, dimensions.height),
      true,
      `${dimensions.width}×${dimensions.height} px, width × height / 750 after downscaling`,
    );
  }

  private document(path: string, fields: Record<string, unknown>): void {
    let framing = overheads.documentTokens;
    for (const name of ['title', 'context'] as const) {
      const value = fields[name];
      if (value !== undefined && value !== null)
        framing += this.countText(expectString(`request.${path}.${name}`, value, { allowEmpty: true }));
    }
    const source = expectObject(`request.${path}.source`, fields.source);
    const sourceType = expectOneOf(`request.${path}.source.type`, source.type, [
      'base64',
      'text',
      'content',
      'url',
      'file',
    ]);
    const sourcePath = `request.${path}.source`;
    switch (sourceType) {
      case 'text':
        this.add(
          path,
          'document',
          framing + this.countText(expectString(`${sourcePath}.data`, source.data, { allowEmpty: true })),
          true,
          'documentTokens',
        );
        return;
      case 'content': {
        if (typeof source.content === 'string') {
          this.add(path, 'document', framing + this.countText(source.content), true, 'documentTokens');
          return;
        }
        this.add(path, 'document', framing, true, 'documentTokens');
        expectArray(`${sourcePath}.content`, source.content).forEach((block, index) => {
          const blockPath = `${path}.source.content[${index}]`;
          const blockFields = expectObject(`request.${blockPath}`, block);
          const blockType = expectOneOf(`request.${blockPath}.type`, blockFields.type, ['text', 'image']);
          if (blockType === 'text')
            this.add(
              blockPath,
              'text',
              this.countText(
                expectString(`request.${blockPath}.text`, blockFields.text, { allowEmpty: true }),
              ),
            );
          else this.image(blockPath, blockFields.source);
        });
        return;
      }
      case 'base64': {
        const data = expectString(`${sourcePath}.data`, source.data);
        const bytes = decodeBase64Prefix(data);
        if (bytes === undefined) throw invalidArgument(`${sourcePath}.data`, 'base64', data);
        let pages = countPdfPages(bytes);
        let how = `${pages} page(s) found`;
        if (pages === 0) {
          pages = Math.max(1, Math.ceil(bytes.length / overheads.pdfBytesPerPageGuess));
          how = `page objects not found, ${pages} page(s) guessed from ${bytes.length} bytes`;
        }
        this.add(
          path,
          'pdf',
          framing + pages * overheads.pdfPageTokens,
          false,
          `PDF: ${how} × ~${overheads.pdfPageTokens} tokens a page (text density unknown)`,
        );
        return;
      }
      default:
        this.add(
          path,
          'pdf',
          framing + overheads.pdfPageTokens,
          false,
          `PDF by ${sourceType}: page count unknown, counted as one page; use countWithApi for the real count`,
        );
    }
  }

  private searchResult(path: string, fields: Record<string, unknown>): void {
    const source = expectString(`request.${path}.source`, fields.source, { allowEmpty: true });
    const title = expectString(`request.${path}.title`, fields.title, { allowEmpty: true });
    let tokens = overheads.documentTokens + this.countText(source) + this.countText(title);
    expectArray(`request.${path}.content`, fields.content).forEach((block, index) => {
      const blockPath = `request.${path}.content[${index}]`;
      const blockFields = expectObject(blockPath, block);
      expectOneOf(`${blockPath}.type`, blockFields.type, ['text']);
      tokens += this.countText(expectString(`${blockPath}.text`, blockFields.text, { allowEmpty: true }));
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
      expectOneOf(`request.${blockPath}.type`, blockFields.type, [
        'text',
        'image',
        'search_result',
        'document',
        'tool_reference',
      ]);
      this.block(
        blockPath,
        blockFields.type === 'tool_reference'
          ? { type: 'text', text: String(blockFields.tool_name ?? '') }
          : block,
      );
    });
  }

  private tools(tools: unknown, toolChoice: unknown): void {
    const list = expectArray('request.tools', tools);
    if (list.length === 0) return;
    const choice =
      toolChoice === undefined || toolChoice === null
        ? 'auto'
        : (expectObject('request.tool_choice', toolChoice).type as unknown);
    const forced = choice === 'any' || choice === 'tool';
    this.add(
      'tools',
      'overhead',
      forced ? overheads.toolSystemPromptForcedTokens : overheads.toolSystemPromptAutoTokens,
      true,
      forced ? 'toolSystemPromptForcedTokens' : 'toolSystemPromptAutoTokens',
    );
    list.forEach((tool, index) => {
      this.tool(`tools[${index}]`, tool);
    });
  }

  private tool(path: string, tool: unknown): void {
    const fields = expectObject(`request.${path}`, tool);
    const name = expectString(`request.${path}.name`, fields.name);
    const type = fields.type;
    if (type === undefined || type === null || type === 'custom') {
      const schema = expectObject(`request.${path}.input_schema`, fields.input_schema);
      const description =
        fields.description === undefined
          ? ''
          : expectString(`request.${path}.description`, fields.description, { allowEmpty: true });
      const tokens =
        this.countText(name) +
        this.countText(description) +
        this.countText(toJson(`request.${path}.input_schema`, schema));
      this.add(
        path,
        'tool_definition',
        tokens + overheads.toolDefinitionTokens,
        true,
        'toolDefinitionTokens',
      );
      return;
    }
    const kind = expectString(`request.${path}.type`, type);
    const builtIn = kind.startsWith('bash_')
      ? overheads.bashToolTokens
      : kind.startsWith('text_editor_')
        ? overheads.textEditorToolTokens
        : kind.startsWith('computer_')
          ? overheads.computerToolTokens
          : undefined;
    if (builtIn !== undefined) {
      this.add(path, 'tool_definition', builtIn, true, `${kind}: documented tool tokens`);
      return;
    }
    this.add(
      path,
      'tool_definition',
      this.countText(toJson(`request.${path}`, fields)) + overheads.toolDefinitionTokens,
      false,
      `${kind}: server tool whose prompt is not public, its JSON is counted`,
    );
  }
}
