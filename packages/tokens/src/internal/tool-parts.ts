import type { TokenEstimatePart } from '@bulwark/core';
import { expectObject, expectString } from '@bulwark/core/internal';
import { requestOverheads as overheads } from '../request-overheads.js';
import { type CountText, estimatePart, expectArray, toJson } from './estimate-parts.js';

/** The parts of a request's `tools`: the tool-use system prompt, then each definition. */
export function toolParts(tools: unknown, toolChoice: unknown, countText: CountText): TokenEstimatePart[] {
  const list = expectArray('request.tools', tools);
  if (list.length === 0) return [];
  const choice =
    toolChoice === undefined || toolChoice === null
      ? 'auto'
      : (expectObject('request.tool_choice', toolChoice).type as unknown);
  const forced = choice === 'any' || choice === 'tool';
  const parts = [
    estimatePart(
      'tools',
      'overhead',
      forced ? overheads.toolSystemPromptForcedTokens : overheads.toolSystemPromptAutoTokens,
      true,
      forced ? 'toolSystemPromptForcedTokens' : 'toolSystemPromptAutoTokens',
    ),
  ];
  list.forEach((tool, index) => {
    parts.push(toolDefinitionPart(`tools[${index}]`, tool, countText));
  });
  return parts;
}

/** One tool: a custom tool's name, description and schema; a documented built-in; or a server tool's JSON. */
function toolDefinitionPart(path: string, tool: unknown, countText: CountText): TokenEstimatePart {
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
      countText(name) + countText(description) + countText(toJson(`request.${path}.input_schema`, schema));
    return estimatePart(
      path,
      'tool_definition',
      tokens + overheads.toolDefinitionTokens,
      true,
      'toolDefinitionTokens',
    );
  }
  const kind = expectString(`request.${path}.type`, type);
  const builtIn = builtInToolTokens(kind);
  if (builtIn !== undefined) {
    return estimatePart(path, 'tool_definition', builtIn, true, `${kind}: documented tool tokens`);
  }
  return estimatePart(
    path,
    'tool_definition',
    countText(toJson(`request.${path}`, fields)) + overheads.toolDefinitionTokens,
    false,
    `${kind}: server tool whose prompt is not public, its JSON is counted`,
  );
}

/** The documented input tokens of Anthropic's client tools (bash, text editor, computer). */
function builtInToolTokens(kind: string): number | undefined {
  if (kind.startsWith('bash_')) return overheads.bashToolTokens;
  if (kind.startsWith('text_editor_')) return overheads.textEditorToolTokens;
  if (kind.startsWith('computer_')) return overheads.computerToolTokens;
  return undefined;
}
