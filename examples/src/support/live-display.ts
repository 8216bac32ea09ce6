import type { BucketLevels, BulwarkEventListeners, Bus } from '@bulwark/core';

/** Where the display writes: `process.stdout` or anything with `write` (and `isTTY`, `columns`). */
export interface DisplayOutput {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

interface RequestRow {
  requestId: string;
  label: string;
  model: string;
  maxTokens: number;
  outputTokens: number;
  tokensPerSecond: number;
  retries: number;
  resumes: number;
  state: string;
  done: boolean;
  failed: boolean;
}

export interface LiveDisplayOptions {
  bus: Bus;
  output: DisplayOutput;
  /** Redraw interval on a terminal. @default 100 */
  refreshMs?: number;
  /** Print a plain progress line this often when not on a terminal. @default 5000 */
  plainSummaryEveryMs?: number;
  /** Rows shown at most on a terminal (the rest are summarised). @default 12 */
  maxRows?: number;
  /** A label per request id, such as `#3`; the id's tail otherwise. */
  labelOf?: (requestId: string) => string;
}

export interface LiveDisplay {
  /** Totals so far. */
  totals(): {
    completed: number;
    failed: number;
    retries: number;
    resumes: number;
    rateLimited: number;
    stalls: number;
  };
  /** Stops redrawing and leaves the final frame on screen. */
  stop(): void;
}

const bar = (fraction: number, width: number): string => {
  const filled = Math.max(0, Math.min(width, Math.round(fraction * width)));
  return `${'█'.repeat(filled)}${'░'.repeat(width - filled)}`;
};

const formatLevels = (levels: BucketLevels | undefined): string => {
  if (!levels) return 'limits: learning';
  const part = (name: string, level: { available: number; capacity: number } | undefined) =>
    level ? `${name} ${Math.round((Math.max(0, level.available) / level.capacity) * 100)}% free` : undefined;
  return [part('RPM', levels.requests), part('ITPM', levels.inputTokens), part('OTPM', levels.outputTokens)]
    .filter(Boolean)
    .join(' · ');
};

/**
 * A live view of a batch from bus events alone: one line per request (progress bar, tokens,
 * tokens/s, retries, resumes, state) and a summary line with bucket levels, redrawn in place
 * on a terminal; plain lines for notable events, and a periodic summary, when output is not a
 * terminal (no control codes, so logs and CI stay readable).
 */
export function createLiveDisplay({
  bus,
  output,
  refreshMs = 100,
  plainSummaryEveryMs = 5_000,
  maxRows = 12,
  labelOf = (requestId) => requestId.slice(-6),
}: LiveDisplayOptions): LiveDisplay {
  const terminal = output.isTTY === true;
  const rows = new Map<string, RequestRow>();
  let levels: BucketLevels | undefined;
  let rateLimited = 0;
  let stalls = 0;
  let linesDrawn = 0;
  const startedAt = Date.now();

  const plain = (line: string): void => {
    if (!terminal) output.write(`${line}\n`);
  };
  const rowOf = (requestId: string, model = '', maxTokens = 0): RequestRow => {
    let row = rows.get(requestId);
    if (!row) {
      row = {
        requestId,
        label: labelOf(requestId),
        model,
        maxTokens,
        outputTokens: 0,
        tokensPerSecond: 0,
        retries: 0,
        resumes: 0,
        state: 'queued',
        done: false,
        failed: false,
      };
      rows.set(requestId, row);
    }
    return row;
  };

  const listeners: Partial<BulwarkEventListeners> = {
    'request:start': ({ requestId, model, maxTokens, attempt, streaming }) => {
      const row = rowOf(requestId, model, maxTokens);
      // The row may exist already (from a rate-limit wait) without these.
      row.model = model;
      row.maxTokens = maxTokens;
      row.state = attempt === 1 ? (streaming ? 'streaming' : 'waiting') : `attempt ${attempt}`;
      if (attempt === 1)
        plain(`${row.label} start (${streaming ? 'streaming' : 'non-streaming'}, max_tokens ${maxTokens})`);
    },
    'stream:progress': ({ requestId, outputTokens, tokensPerSecond }) => {
      const row = rowOf(requestId);
      row.outputTokens = outputTokens;
      row.tokensPerSecond = tokensPerSecond;
    },
    'retry:scheduled': ({ requestId, reason, delayMs, resume, status }) => {
      const row = rowOf(requestId);
      row.retries += 1;
      row.state = `${resume ? 'resume' : 'retry'} in ${(delayMs / 1000).toFixed(1)}s (${reason}${status ? ` ${status}` : ''})`;
      plain(`${row.label} ${row.state}`);
    },
    'stream:resume': ({ requestId, keptOutputTokens, strategy }) => {
      const row = rowOf(requestId);
      row.resumes += 1;
      plain(`${row.label} resuming by ${strategy}, keeping ${keptOutputTokens} output tokens`);
    },
    'stream:stall': ({ requestId, idleMs }) => {
      stalls += 1;
      plain(`${rowOf(requestId).label} stalled: nothing for ${(idleMs / 1000).toFixed(1)}s`);
    },
    'request:error': ({ requestId, error, willRetry }) => {
      if (error.status === 429) rateLimited += 1;
      if (!willRetry) {
        const row = rowOf(requestId);
        row.failed = true;
        row.state = `failed: ${error.message.slice(0, 60)}`;
        plain(`${row.label} ${row.state}`);
      }
    },
    'request:end': ({ requestId, usage, stopReason }) => {
      const row = rowOf(requestId);
      row.done = true;
      row.outputTokens = Math.max(row.outputTokens, usage.outputTokens);
      row.state = `done (${stopReason ?? 'no stop reason'})`;
      plain(
        `${row.label} done: ${usage.outputTokens} output tokens, ${row.retries} retries, ${row.resumes} resumes`,
      );
    },
    'ratelimit:admit': (event) => {
      levels = event.levels;
    },
    'ratelimit:update': (event) => {
      levels = event.levels;
    },
    'ratelimit:wait': ({ requestId, bucket, waitMs }) => {
      if (requestId) rowOf(requestId).state = `waiting for ${bucket} (${(waitMs / 1000).toFixed(1)}s)`;
    },
  };
  for (const [name, listener] of Object.entries(listeners)) bus.on(name as never, listener as never);

  const totals = () => {
    let completed = 0;
    let failed = 0;
    let retries = 0;
    let resumes = 0;
    for (const row of rows.values()) {
      if (row.done) completed += 1;
      if (row.failed) failed += 1;
      retries += row.retries;
      resumes += row.resumes;
    }
    return { completed, failed, retries, resumes, rateLimited, stalls };
  };

  const summaryLine = (): string => {
    const { completed, failed, retries, resumes } = totals();
    let outputTokens = 0;
    for (const row of rows.values()) outputTokens += row.outputTokens;
    const seconds = (Date.now() - startedAt) / 1000;
    return `${completed} done · ${failed} failed · ${rows.size - completed - failed} running · ${outputTokens} tokens · ${Math.round(outputTokens / Math.max(seconds, 0.001))} tok/s · ${retries} retries · ${resumes} resumes · ${rateLimited} × 429 · ${formatLevels(levels)}`;
  };

  const draw = (): void => {
    const width = Math.max(60, output.columns ?? 100);
    const visible = [...rows.values()].filter((row) => !row.done && !row.failed).slice(0, maxRows);
    const lines = visible.map((row) => {
      const fraction = row.maxTokens > 0 ? row.outputTokens / row.maxTokens : 0;
      return `${row.label.padEnd(6)} ${bar(fraction, 20)} ${String(row.outputTokens).padStart(6)} tok ${String(Math.round(row.tokensPerSecond)).padStart(5)} tok/s  r${row.retries} R${row.resumes}  ${row.state}`.slice(
        0,
        width - 1,
      );
    });
    lines.push(summaryLine().slice(0, width - 1));
    let frame = linesDrawn > 0 ? `\u001b[${linesDrawn}F` : '';
    for (const line of lines) frame += `\u001b[2K${line}\n`;
    for (let extra = lines.length; extra < linesDrawn; extra += 1) frame += '\u001b[2K\n';
    output.write(frame);
    linesDrawn = Math.max(lines.length, linesDrawn);
  };

  const timer = terminal
    ? setInterval(draw, refreshMs)
    : setInterval(() => plain(`progress: ${summaryLine()}`), plainSummaryEveryMs);
  timer.unref();

  return {
    totals,
    stop() {
      clearInterval(timer);
      for (const [name, listener] of Object.entries(listeners)) bus.off(name as never, listener as never);
      if (terminal) draw();
    },
  };
}

/** Renders rows as an aligned plain-text table (no control codes). */
export function renderTable(headers: readonly string[], rows: ReadonlyArray<readonly string[]>): string {
  const widths = headers.map((header, column) =>
    Math.max(header.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => (column === 0 ? cell.padEnd(widths[column]!) : cell.padStart(widths[column]!)))
      .join('  ');
  return [line(headers), widths.map((width) => '─'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}
