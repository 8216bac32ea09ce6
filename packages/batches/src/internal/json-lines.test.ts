import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonLines } from './json-lines.js';

function streamOf(chunks: Uint8Array[]): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(chunk);
      controller.close();
    },
  });
}

async function read(chunks: Uint8Array[]): Promise<unknown[]> {
  const values: unknown[] = [];
  for await (const value of jsonLines(streamOf(chunks))) values.push(value);
  return values;
}

describe('jsonLines', () => {
  it('reads lines split anywhere, multi-byte characters included, with or without a last newline', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ id: fc.string(), text: fc.string({ unit: 'grapheme' }) }), { maxLength: 8 }),
        fc.array(fc.integer({ min: 1, max: 7 }), { minLength: 1, maxLength: 5 }),
        fc.boolean(),
        async (values, cuts, trailingNewline) => {
          const text =
            values.map((value) => JSON.stringify(value)).join('\n') + (trailingNewline ? '\n' : '');
          const bytes = new TextEncoder().encode(text);
          const chunks: Uint8Array[] = [];
          for (let offset = 0, index = 0; offset < bytes.length; index += 1) {
            const size = cuts[index % cuts.length] as number;
            chunks.push(bytes.subarray(offset, offset + size));
            offset += size;
          }
          expect(await read(chunks)).toEqual(values);
        },
      ),
    );
  });

  it('skips blank lines and CRLF endings', async () => {
    const bytes = new TextEncoder().encode('{"a":1}\r\n\r\n{"a":2}\n');
    expect(await read([bytes])).toEqual([{ a: 1 }, { a: 2 }]);
  });

  it('cancels the stream when the caller stops early', async () => {
    let canceled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('{"a":1}\n'));
      },
      cancel() {
        canceled = true;
      },
    });
    for await (const _ of jsonLines(body)) break;
    expect(canceled).toBe(true);
  });
});
