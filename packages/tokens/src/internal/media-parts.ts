import type { TokenEstimatePart } from '@bulwark/core';
import { expectObject, expectOneOf, expectString, invalidArgument } from '@bulwark/core/internal';
import { imageTokens, requestOverheads as overheads } from '../request-overheads.js';
import { decodeBase64Prefix } from './base64-bytes.js';
import { type CountText, estimatePart, expectArray } from './estimate-parts.js';
import { readImageDimensions } from './image-dimensions.js';
import { countPdfPages } from './pdf-pages.js';

/** An image block's tokens: exact from a base64 header, the documented maximum otherwise. */
export function imagePart(path: string, source: unknown): TokenEstimatePart {
  const fields = expectObject(`request.${path}.source`, source);
  const sourceType = expectOneOf(`request.${path}.source.type`, fields.type, ['base64', 'url', 'file']);
  const documented = Math.ceil(overheads.imageMaxPixels / overheads.imagePixelsPerToken);
  if (sourceType !== 'base64') {
    return estimatePart(
      path,
      'image',
      documented,
      false,
      `${sourceType} image of unknown size: counted at the documented maximum (~${documented} tokens)`,
    );
  }
  expectString(`request.${path}.source.media_type`, fields.media_type);
  const data = expectString(`request.${path}.source.data`, fields.data);
  const bytes = decodeBase64Prefix(data);
  if (bytes === undefined) throw invalidArgument(`request.${path}.source.data`, 'base64', data);
  const dimensions = readImageDimensions(bytes);
  if (dimensions === undefined) {
    return estimatePart(
      path,
      'image',
      documented,
      false,
      'unreadable image header: counted at the documented maximum',
    );
  }
  return estimatePart(
    path,
    'image',
    imageTokens(dimensions.width, dimensions.height),
    true,
    `${dimensions.width}×${dimensions.height} px, width × height / 750 after downscaling`,
  );
}

/** A document block's parts: its text (and images) with title and context, or a PDF's guess. */
export function documentParts(
  path: string,
  fields: Record<string, unknown>,
  countText: CountText,
): TokenEstimatePart[] {
  let framing = overheads.documentTokens;
  for (const name of ['title', 'context'] as const) {
    const value = fields[name];
    if (value !== undefined && value !== null)
      framing += countText(expectString(`request.${path}.${name}`, value, { allowEmpty: true }));
  }
  const source = expectObject(`request.${path}.source`, fields.source);
  const sourceType = expectOneOf(`request.${path}.source.type`, source.type, [
    'base64',
    'text',
    'content',
    'url',
    'file',
  ]);
  switch (sourceType) {
    case 'text': {
      const text = expectString(`request.${path}.source.data`, source.data, { allowEmpty: true });
      return [estimatePart(path, 'document', framing + countText(text), true, 'documentTokens')];
    }
    case 'content':
      return contentDocumentParts(path, source.content, framing, countText);
    case 'base64':
      return [pdfPart(path, source.data, framing)];
    default:
      return [
        estimatePart(
          path,
          'pdf',
          framing + overheads.pdfPageTokens,
          false,
          `PDF by ${sourceType}: page count unknown, counted as one page; use countWithApi for the real count`,
        ),
      ];
  }
}

/** A document whose source is content: a string, or text and image blocks counted one by one. */
function contentDocumentParts(
  path: string,
  content: unknown,
  framing: number,
  countText: CountText,
): TokenEstimatePart[] {
  if (typeof content === 'string') {
    return [estimatePart(path, 'document', framing + countText(content), true, 'documentTokens')];
  }
  const parts = [estimatePart(path, 'document', framing, true, 'documentTokens')];
  expectArray(`request.${path}.source.content`, content).forEach((block, index) => {
    const blockPath = `${path}.source.content[${index}]`;
    const blockFields = expectObject(`request.${blockPath}`, block);
    const blockType = expectOneOf(`request.${blockPath}.type`, blockFields.type, ['text', 'image']);
    if (blockType === 'image') {
      parts.push(imagePart(blockPath, blockFields.source));
      return;
    }
    const text = expectString(`request.${blockPath}.text`, blockFields.text, { allowEmpty: true });
    parts.push(estimatePart(blockPath, 'text', countText(text)));
  });
  return parts;
}

/** A base64 PDF: pages from its page objects (else guessed from its size) × the documented page tokens. */
function pdfPart(path: string, data: unknown, framing: number): TokenEstimatePart {
  const base64 = expectString(`request.${path}.source.data`, data);
  const bytes = decodeBase64Prefix(base64);
  if (bytes === undefined) throw invalidArgument(`request.${path}.source.data`, 'base64', base64);
  let pages = countPdfPages(bytes);
  let how = `${pages} page(s) found`;
  if (pages === 0) {
    pages = Math.max(1, Math.ceil(bytes.length / overheads.pdfBytesPerPageGuess));
    how = `page objects not found, ${pages} page(s) guessed from ${bytes.length} bytes`;
  }
  return estimatePart(
    path,
    'pdf',
    framing + pages * overheads.pdfPageTokens,
    false,
    `PDF: ${how} × ~${overheads.pdfPageTokens} tokens a page (text density unknown)`,
  );
}
