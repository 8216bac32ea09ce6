import { randomFor } from './random.js';

const words = (
  'the of and to in is that for it as with was on be by this are from at or an have which one ' +
  'not but all can has were their more will would there when what about out up into only other ' +
  'time some could them these than its two then first any new like also after way many most ' +
  'make over did before must through back years where much your well down should because each ' +
  'just those people how too little state good very world still own see men work long get here ' +
  'between both life being under never day same another know while last might great old year off ' +
  'come since against go came right used take three small large place again found system stream ' +
  'token message request limit server model answer river light stone garden window signal market ' +
  'letter engine number silver morning winter harbor bridge forest valley paper music story water'
).split(' ');

/** A generated text: its server tokens (one per text delta) and where each starts. */
export interface GeneratedText {
  /** Each token is a word with its leading space, a punctuation mark, or a paragraph break. */
  tokens: string[];
  /** `offsets[i]` is the character offset of `tokens[i]`; `offsets[tokens.length]` is the length. */
  offsets: number[];
  text: string;
}

/**
 * Generates `count` tokens of English-looking prose, a pure function of `seed` and `key`.
 * The last token of a complete text is a full stop, so an uncut answer ends a sentence.
 */
export function generateText(seed: number, key: string, count: number): GeneratedText {
  const random = randomFor(seed, 'text', key);
  const tokens: string[] = [];
  let sentenceLength = 0;
  let sentenceTarget = 6 + Math.floor(random() * 14);
  let startOfSentence = true;
  let startOfParagraph = true;
  while (tokens.length < count) {
    const remaining = count - tokens.length;
    if (remaining === 1 || sentenceLength >= sentenceTarget) {
      tokens.push('.');
      sentenceLength = 0;
      sentenceTarget = 6 + Math.floor(random() * 14);
      startOfSentence = true;
      if (remaining > 3 && random() < 0.2) {
        tokens.push('\n\n');
        startOfParagraph = true;
      }
      continue;
    }
    if (!startOfSentence && sentenceLength > 2 && remaining > 2 && random() < 0.08) {
      tokens.push(',');
      continue;
    }
    let word = words[Math.floor(random() * words.length)] ?? 'the';
    if (startOfSentence) word = word[0]?.toUpperCase() + word.slice(1);
    tokens.push(startOfParagraph ? word : ` ${word}`);
    startOfParagraph = false;
    startOfSentence = false;
    sentenceLength += 1;
  }
  const offsets = new Array<number>(tokens.length + 1);
  let offset = 0;
  for (let index = 0; index < tokens.length; index += 1) {
    offsets[index] = offset;
    offset += (tokens[index] as string).length;
  }
  offsets[tokens.length] = offset;
  return { tokens, offsets, text: tokens.join('') };
}

/** The index of the token that contains character `position` (or `tokens.length` at the end). */
export function tokenIndexAt(generated: GeneratedText, position: number): number {
  let low = 0;
  let high = generated.tokens.length;
  while (low < high) {
    const middle = (low + high + 1) >> 1;
    if ((generated.offsets[middle] as number) <= position) low = middle;
    else high = middle - 1;
  }
  return low;
}
