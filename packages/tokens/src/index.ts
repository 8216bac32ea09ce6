export {
  type CalibrationState,
  defaultCalibrationPriors,
  defaultModelFamily,
  type FamilyCalibration,
} from './calibration.js';
export { EncodingNotReadyError, TokenCountError } from './errors.js';
export { estimateTokensFast, fastEstimateWeights } from './fast-estimate.js';
export type { RankFileLoader } from './internal/encoder-registry.js';
export type { EncodingName, RankFile } from './internal/rank-table.js';
export { imageTokens, requestOverheads } from './request-overheads.js';
export {
  type BulwarkTokenEstimator,
  type CountTokensClient,
  type CountTokensParams,
  createTokenEstimator,
  type EstimatorStatus,
  type TokenEstimatorOptions,
} from './token-estimator.js';
