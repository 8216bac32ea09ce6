/** The two js-tiktoken encodings Bulwark counts with. */
export type EncodingName = 'cl100k_base' | 'o200k_base';

/** What js-tiktoken's rank modules (`js-tiktoken/ranks/cl100k_base`, ...) export. */
export interface RankFile {
  pat_str: string;
  special_tokens: Record<string, number>;
  bpe_ranks: string;
}

/** Loads the rank file of an encoding (the `loadRankFile` option: bundlers, tests, offline copies). */
export type RankFileLoader = (encoding: EncodingName) => Promise<RankFile>;
