import { describe, expect, it } from 'vitest';
import { formatRatio, measure, median, renderReport, renderTable } from './harness.js';

describe('bench harness', () => {
  it('takes the median of odd and even lists', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow('median of an empty list');
  });

  it('formats ratios and refuses meaningless ones', () => {
    expect(formatRatio(10, 4)).toBe('2.50×');
    expect(formatRatio(250, 10)).toBe('25.0×');
    expect(formatRatio(1, 0)).toBe('n/a');
  });

  it('runs warmups and repetitions', async () => {
    let calls = 0;
    const result = await measure(() => calls++, { warmup: 2, repetitions: 3 });
    expect(calls).toBe(5);
    expect(result.samplesMs).toHaveLength(3);
  });

  it('renders tables and reports as Markdown', () => {
    expect(renderTable({ headers: ['a', 'b'], rows: [['1', '2']] })).toBe(
      '| a | b |\n| --- | --- |\n| 1 | 2 |',
    );
    const text = renderReport(
      [
        {
          title: 'T',
          method: 'M',
          peers: ['p 1.0'],
          tables: [{ headers: ['x'], rows: [['y']] }],
          notes: ['n'],
        },
      ],
      'machine',
      new Date('2026-01-01T00:00:00Z'),
    );
    expect(text).toContain('## T\n\nM\n\nPeers: p 1.0.\n\n| x |');
    expect(text).toContain('- n');
    expect(text).toContain('- Machine of the latest run: machine');
    expect(renderReport([], 'machine', new Date())).toContain('No benchmarks yet');
  });
});
