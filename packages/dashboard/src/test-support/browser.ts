import { existsSync } from 'node:fs';
import { type Browser, chromium, type Page } from 'playwright-core';

export const chromiumPath = '/usr/bin/chromium';

/** Debian's Chromium, headless, without the background traffic it would send on a closed network. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(chromiumPath)) {
    throw new Error(`${chromiumPath} is missing: install Debian's chromium (apt-get install -y chromium)`);
  }
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** What the page shows, read from the DOM. */
export interface PageView {
  connection: string;
  lastEventId: string;
  inFlight: number;
  rows: Array<{ id: string; state: string; outputTokens: number; label: string; attempt: string }>;
  totals: Record<string, string>;
  alerts: string[];
  failures: Array<{ requestId: string; code: string }>;
}

export function readPage(page: Page): Promise<PageView> {
  return page.evaluate(() => {
    const text = (id: string) => document.getElementById(id)?.textContent ?? '';
    const totals: Record<string, string> = {};
    for (const id of [
      'completed',
      'failed',
      'retries',
      'resumes',
      'kept',
      '429',
      'stalls',
      'tokens',
      'cost',
      'inflight',
    ]) {
      totals[id] = text(`total-${id}`);
    }
    return {
      connection: document.getElementById('connection')?.dataset.state ?? '',
      lastEventId: document.body.dataset.lastEventId ?? '',
      inFlight: Number(text('inflight-count')),
      rows: [...document.querySelectorAll<HTMLElement>('.request-row')].map((row) => ({
        id: row.dataset.requestId ?? '',
        state: row.dataset.state ?? '',
        outputTokens: Number(row.dataset.outputTokens),
        label: row.children[2]?.textContent ?? '',
        attempt: row.children[6]?.textContent ?? '',
      })),
      totals,
      alerts: [...document.querySelectorAll<HTMLElement>('#active-alerts li[data-rule-id]')].map(
        (item) => item.dataset.ruleId ?? '',
      ),
      failures: [...document.querySelectorAll<HTMLElement>('#failure-rows tr')].map((row) => ({
        requestId: row.dataset.requestId ?? '',
        code: row.dataset.code ?? '',
      })),
    };
  });
}
