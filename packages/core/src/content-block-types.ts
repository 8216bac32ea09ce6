/**
 * Every content block type a Messages API request may carry, as `@anthropic-ai/sdk` 1.12 types
 * `ContentBlockParam`: what `@bulwark/tokens` estimates and `@bulwark/testing` accepts.
 */
export const contentBlockParamTypes = [
  'text',
  'image',
  'document',
  'search_result',
  'thinking',
  'redacted_thinking',
  'tool_use',
  'tool_result',
  'server_tool_use',
  'web_search_tool_result',
  'web_fetch_tool_result',
  'code_execution_tool_result',
  'bash_code_execution_tool_result',
  'text_editor_code_execution_tool_result',
  'tool_search_tool_result',
  'container_upload',
] as const;

/** A content block type of a Messages API request. */
export type ContentBlockParamType = (typeof contentBlockParamTypes)[number];

/** The results of Anthropic's server tools (web search, code execution, ...) and container uploads. */
export const serverToolResultBlockTypes: readonly ContentBlockParamType[] = contentBlockParamTypes.filter(
  (type) => (type.endsWith('_tool_result') && type !== 'tool_result') || type === 'container_upload',
);
