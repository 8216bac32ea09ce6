export {
  type AnswerLike,
  type BulwarkInstrumentation,
  instrumentBulwark,
} from './instrument-bulwark.js';
export type { InstrumentBulwarkOptions, StaticAttributes } from './options.js';
