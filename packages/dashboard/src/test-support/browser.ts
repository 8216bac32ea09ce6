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

// Page-side code as text: tsx (esbuild) would wrap functions passed to `evaluate` in a helper
// (`__name`) the page does not have.
const readPageSource = `(() => {
  const totals = {};
  for (const id of ['completed', 'failed', 'retries', 'resumes', 'kept', '429', 'stalls', 'tokens', 'cost', 'inflight']) {
    totals[id] = document.getElementById('total-' + id)?.textContent ?? '';
  }
  return {
    connection: document.getElementById('connection')?.dataset.state ?? '',
    lastEventId: document.body.dataset.lastEventId ?? '',
    inFlight: Number(document.getElementById('inflight-count')?.textContent ?? ''),
    rows: [...document.querySelectorAll('.request-row')].map((row) => ({
      id: row.dataset.requestId ?? '',
      state: row.dataset.state ?? '',
      outputTokens: Number(row.dataset.outputTokens),
      label: row.children[2]?.textContent ?? '',
      attempt: row.children[6]?.textContent ?? '',
    })),
    totals,
    alerts: [...document.querySelectorAll('#active-alerts li[data-rule-id]')].map((item) => item.dataset.ruleId ?? ''),
    failures: [...document.querySelectorAll('#failure-rows tr')].map((row) => ({
      requestId: row.dataset.requestId ?? '',
      code: row.dataset.code ?? '',
    })),
  };
})()`;

/** What the page shows now. */
export function readPage(page: Page): Promise<PageView> {
  return page.evaluate(readPageSource) as Promise<PageView>;
}
