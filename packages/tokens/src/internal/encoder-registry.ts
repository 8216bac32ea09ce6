import type { EncodingName, RankFile, RankFileLoader } from '../encoding.js';
import { Encoder } from './encoder.js';
import { createRegexScanner, type PieceScanner, scanCl100kPiece, scanO200kPiece } from './pre-tokenizer.js';
import { parseRankTable } from './rank-table.js';

/** The split patterns the hand-written scanners implement, as js-tiktoken 1.0.21 ships them. */
const knownPatterns: Record<EncodingName, { pattern: string; scanner: PieceScanner }> = {
  cl100k_base: {
    pattern:
      "('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)|[^\\r\\n\\p{L}\\p{N}]?\\p{L}+|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    scanner: scanCl100kPiece,
  },
  o200k_base: {
    pattern:
      "[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]*[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]+('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|[^\\r\\n\\p{L}\\p{N}]?[\\p{Lu}\\p{Lt}\\p{Lm}\\p{Lo}\\p{M}]+[\\p{Ll}\\p{Lm}\\p{Lo}\\p{M}]*('s|'S|'t|'T|'re|'rE|'Re|'RE|'ve|'vE|'Ve|'VE|'m|'M|'ll|'lL|'Ll|'LL|'d|'D)?|\\p{N}{1,3}| ?[^\\s\\p{L}\\p{N}]+[\\r\\n/]*|\\s*[\\r\\n]+|\\s+(?!\\S)|\\s+",
    scanner: scanO200kPiece,
  },
};

/** js-tiktoken's own rank files, imported only when an encoding is first asked for. */
export const loadJsTiktokenRanks: RankFileLoader = async (encoding) => {
  switch (encoding) {
    case 'cl100k_base':
      return (await import('js-tiktoken/ranks/cl100k_base')).default;
    case 'o200k_base':
      return (await import('js-tiktoken/ranks/o200k_base')).default;
  }
};

/**
 * Builds an encoder from a rank file. A pattern other than the one the hand-written scanner
 * implements (a future js-tiktoken) is still counted exactly, through the regex itself.
 */
export function createEncoder(encoding: EncodingName, file: RankFile): Encoder {
  const known = knownPatterns[encoding];
  const scanner = file.pat_str === known.pattern ? known.scanner : createRegexScanner(file.pat_str);
  return new Encoder(parseRankTable(file.bpe_ranks), scanner);
}

const shared = new Map<EncodingName, Promise<Encoder>>();

/**
 * The process-wide encoder of `encoding` from js-tiktoken's ranks: loaded on first request,
 * then shared by every estimator. A failed load is forgotten so a later call may try again.
 */
export function loadSharedEncoder(encoding: EncodingName): Promise<Encoder> {
  let pending = shared.get(encoding);
  if (pending === undefined) {
    pending = loadJsTiktokenRanks(encoding).then((file) => createEncoder(encoding, file));
    shared.set(encoding, pending);
    // Handled, not ignored: the caller awaiting `pending` sees the failure; the map only forgets it.
    pending.catch(() => shared.delete(encoding));
  }
  return pending;
}
