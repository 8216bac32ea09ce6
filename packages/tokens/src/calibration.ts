import {
  expectKnownKeys,
  expectNumber,
  expectObject,
  expectOneOf,
  invalidArgument,
} from '@bulwark/core/internal';
import type { EncodingName } from './encoding.js';

/** The family of models whose id `modelClassOf` does not know. */
export const defaultModelFamily = 'default';

/**
 * Starting ratios (Claude tokens ÷ local tokens) used before any usage has been observed.
 * Claude's tokenizer is not public; published comparisons put Claude 3.5 at about +16 % over
 * o200k on English and +30 % on Python, and cl100k counts English within a few per cent of
 * o200k. 1.2 (cl100k) and 1.25 (o200k, which counts a little fewer tokens) sit between prose and
 * code. Later tokenizers (Opus 4.7 and on) count more; the learnt ratio corrects for it.
 */
export const defaultCalibrationPriors: Readonly<Record<EncodingName, number>> = {
  cl100k_base: 1.2,
  o200k_base: 1.25,
};

/** The learnt ratio of one model family. */
export interface FamilyCalibration {
  /** Actual ÷ raw, as a moving estimate. */
  ratio: number;
  /** Observations behind it (the prior counts as none). */
  samples: number;
}

/** What `exportCalibration` returns and `importCalibration` accepts. */
export interface CalibrationState {
  version: 1;
  /** Ratios are only meaningful for the encoding they were learnt under. */
  encoding: EncodingName;
  families: Record<string, FamilyCalibration>;
}

const minRatio = 0.2;
const maxRatio = 5;

/**
 * Per-family moving estimates of actual ÷ raw. An observation moves the estimate by
 * `1 / min(samples + priorWeight, windowSize)`: the first ones average with the prior, and
 * from `windowSize` on it is an exponential moving average over about that many requests, so
 * it follows a change of tokenizer without being bounded by history.
 */
export class Calibrator {
  private readonly families = new Map<string, FamilyCalibration>();

  constructor(
    private readonly encoding: EncodingName,
    private readonly priors: Readonly<Record<string, number>>,
    private readonly defaultPrior: number,
    private readonly windowSize: number,
    private readonly priorWeight: number,
  ) {}

  ratio(family: string): number {
    return this.families.get(family)?.ratio ?? this.priors[family] ?? this.defaultPrior;
  }

  observe(family: string, rawTokens: number, actualTokens: number): void {
    if (!(rawTokens > 0) || !(actualTokens > 0)) return;
    const observed = Math.min(maxRatio, Math.max(minRatio, actualTokens / rawTokens));
    const current = this.families.get(family) ?? { ratio: this.ratio(family), samples: 0 };
    const weight = 1 / Math.min(current.samples + 1 + this.priorWeight, this.windowSize);
    this.families.set(family, {
      ratio: current.ratio + (observed - current.ratio) * weight,
      samples: current.samples + 1,
    });
  }

  export(): CalibrationState {
    const families: Record<string, FamilyCalibration> = {};
    for (const [family, calibration] of this.families) families[family] = { ...calibration };
    return { version: 1, encoding: this.encoding, families };
  }

  import(state: unknown): void {
    const fields = expectObject('state', state);
    expectKnownKeys('state', fields, ['version', 'encoding', 'families']);
    if (fields.version !== 1) throw invalidArgument('state.version', '1', fields.version);
    const encoding = expectOneOf('state.encoding', fields.encoding, ['cl100k_base', 'o200k_base']);
    if (encoding !== this.encoding) {
      throw invalidArgument('state.encoding', `\`${this.encoding}\` (the estimator's encoding)`, encoding);
    }
    const incoming = new Map<string, FamilyCalibration>();
    for (const [family, value] of Object.entries(expectObject('state.families', fields.families))) {
      const path = `state.families.${family}`;
      const calibration = expectObject(path, value);
      expectKnownKeys(path, calibration, ['ratio', 'samples']);
      incoming.set(family, {
        ratio: expectNumber(`${path}.ratio`, calibration.ratio, { min: minRatio, max: maxRatio }),
        samples: expectNumber(`${path}.samples`, calibration.samples, { min: 0, integer: true }),
      });
    }
    // Validated in full before anything changes.
    for (const [family, calibration] of incoming) this.families.set(family, calibration);
  }
}
