import type { ManualClock } from '@bulwark/core';
import type { Page } from 'playwright-core';
import { type PageView, readPage } from './browser.js';

/**
 * Moves the manual clock in steps of `stepMs` until `condition` holds for what the page shows.
 * After each step it asks the dashboard for the id of its latest frame (`/healthz`) and waits
 * until the page has rendered that frame, so the page is never behind the clock: no step
 * depends on how fast the machine is.
 */
export async function driveUntil(
  page: Page,
  clock: ManualClock,
  dashboardUrl: string,
  condition: (view: PageView) => boolean,
  { stepMs = 100, maxSteps = 3_000 } = {},
): Promise<PageView> {
  const health = `${new URL(dashboardUrl).origin}/healthz`;
  for (let step = 0; step < maxSteps; step += 1) {
    const { lastEventId } = (await (await fetch(health)).json()) as { lastEventId: string };
    await page.waitForFunction(
      `document.body.dataset.lastEventId === ${JSON.stringify(lastEventId)}`,
      undefined,
      {
        timeout: 60_000,
        polling: 'raf',
      },
    );
    const view = await readPage(page);
    if (condition(view)) return view;
    await clock.advance(stepMs);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  throw new Error(`driveUntil: not reached after ${maxSteps} steps: ${condition.toString()}`);
}
