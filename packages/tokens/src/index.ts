export type { CalibrationState, FamilyCalibration } from './calibration.js';
export type { CountTokensClient, CountTokensParams } from './count-tokens-client.js';
export type { EncodingName, RankFile, RankFileLoader } from './encoding.js';
export { EncodingNotReadyError, TokenCountError } from './errors.js';
export { estimateTokensFast } from './fast-estimate.js';
export { imageTokens, requestOverheads } from './request-overheads.js';
export {
  type BulwarkTokenEstimator,
  createTokenEstimator,
  type EstimatorStatus,
} from './token-estimator.js';
export type { TokenEstimatorOptions } from './token-estimator-options.js';
