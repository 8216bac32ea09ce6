import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { contentBlockParamTypes, serverToolResultBlockTypes } from './content-block-types.js';
import { hashString } from './hash-string.js';

describe('hashString', () => {
  it('gives the published cyrb53 values', () => {
    expect(hashString('')).toBe(3338908027751811);
    expect(hashString('a')).toBe(7929297801672961);
    expect(hashString('a', 1)).not.toBe(hashString('a'));
  });

  it('is deterministic and a safe integer for any string', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.integer(), (text, seed) => {
        const hash = hashString(text, seed);
        expect(hash).toBe(hashString(text, seed));
        expect(Number.isSafeInteger(hash) && hash >= 0).toBe(true);
      }),
    );
  });
});

describe('content block types', () => {
  it('lists the sixteen request block types and picks the server-tool results among them', () => {
    expect(contentBlockParamTypes).toHaveLength(16);
    expect(serverToolResultBlockTypes).toEqual([
      'web_search_tool_result',
      'web_fetch_tool_result',
      'code_execution_tool_result',
      'bash_code_execution_tool_result',
      'text_editor_code_execution_tool_result',
      'tool_search_tool_result',
      'container_upload',
    ]);
  });
});
