import type { OutputReservation } from '../options.js';

/** Weight of the newest observation in the running average. */
const smoothing = 0.2;
/** Headroom over the running average, so an average call does not run into debt. */
const margin = 1.25;

/**
 * A running estimate of the output tokens of each model: an exponentially weighted average of
 * what calls really generated, plus 25 %. Until a model has been seen, it reserves `max_tokens`.
 */
export class OutputEstimator {
  private readonly averages = new Map<string, number>();

  constructor(private readonly policy: OutputReservation) {}

  reserve(model: string, maxOutputTokens: number): number {
    if (this.policy === 'max_tokens') return maxOutputTokens;
    if (typeof this.policy === 'object') return Math.min(maxOutputTokens, this.policy.fixedTokens);
    const average = this.averages.get(model);
    if (average === undefined) return maxOutputTokens;
    return Math.min(maxOutputTokens, Math.ceil(average * margin));
  }

  record(model: string, outputTokens: number): void {
    if (this.policy !== 'estimate') return;
    const average = this.averages.get(model);
    this.averages.set(
      model,
      average === undefined ? outputTokens : average + smoothing * (outputTokens - average),
    );
  }
}
