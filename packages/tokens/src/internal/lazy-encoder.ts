import type { Logger } from '@bulwark/core';
import type { EncodingName, RankFileLoader } from '../encoding.js';
import { EncodingNotReadyError } from '../errors.js';
import { estimateTokensFast } from '../fast-estimate.js';
import type { EstimatorStatus } from '../token-estimator.js';
import type { Encoder } from './encoder.js';
import { createEncoder, loadSharedEncoder } from './encoder-registry.js';

/**
 * An estimator's encoding, loaded on first use: exact counts once it is loaded; the `fast`
 * heuristic by choice (`mode: 'fast'`, never loaded) or after a failed load, which the logger
 * is told about once.
 */
export class LazyEncoder {
  status: EstimatorStatus;
  private encoder: Encoder | undefined;
  private loading: Promise<void> | undefined;

  constructor(
    private readonly encoding: EncodingName,
    private readonly mode: 'exact' | 'fast',
    private readonly loadRankFile: RankFileLoader | undefined,
    private readonly logger: Logger,
  ) {
    this.status = mode === 'fast' ? 'fast' : 'idle';
  }

  /** True until an exact-mode encoder has loaded (or failed to): `ready()` has work to do. */
  get needsLoad(): boolean {
    return this.mode === 'exact' && this.encoder === undefined;
  }

  /** True when counts are exact. */
  get isExact(): boolean {
    return this.encoder !== undefined;
  }

  /** Resolves when `count` can answer: the encoding loaded, or the fast heuristic took over. */
  async ready(): Promise<void> {
    if (this.mode === 'exact') await this.load();
  }

  /** The count of `text` (a string), exact when the encoding is loaded. */
  count(text: string): number {
    if (this.encoder !== undefined) return this.encoder.count(text);
    if (this.status === 'fast') return estimateTokensFast(text);
    throw new EncodingNotReadyError({ encoding: this.encoding });
  }

  /** Throws `EncodingNotReadyError` while `count` cannot answer yet. */
  expectReady(): void {
    if (this.encoder === undefined && this.status !== 'fast') {
      throw new EncodingNotReadyError({ encoding: this.encoding });
    }
  }

  private load(): Promise<void> {
    if (this.loading) return this.loading;
    this.status = 'loading';
    const { encoding, loadRankFile } = this;
    const pendingEncoder =
      loadRankFile === undefined
        ? loadSharedEncoder(encoding)
        : Promise.resolve()
            .then(() => loadRankFile(encoding))
            .then((file) => createEncoder(encoding, file));
    this.loading = pendingEncoder.then(
      (loaded) => {
        this.encoder = loaded;
        this.status = 'exact';
      },
      (error: unknown) => {
        // Handled: counting goes on with the fast heuristic (`status` says so) and the logger is told.
        this.status = 'fast';
        this.logger.warn(
          { encoding, error: error instanceof Error ? error.message : String(error) },
          `The ${encoding} encoding could not load; counting with the fast heuristic instead`,
        );
      },
    );
    return this.loading;
  }
}
