/**
 * Counts `/Type /Page` objects (not `/Pages`) in a PDF's bytes. PDFs that keep their objects
 * in compressed object streams hide them; then the answer is 0 and the caller guesses.
 */
export function countPdfPages(bytes: Uint8Array): number {
  let text = '';
  const chunk = 32_768;
  let pages = 0;
  const pattern = /\/Type\s*\/Page(?![a-zA-Z])/g;
  for (let offset = 0; offset < bytes.length; offset += chunk) {
    // Keep a short overlap so a marker split between chunks is still seen, without counting it twice.
    const tail = text.slice(-16);
    text = tail + String.fromCharCode(...bytes.subarray(offset, offset + chunk));
    pattern.lastIndex = 0;
    for (const match of text.matchAll(pattern)) if (match.index >= tail.length) pages += 1;
  }
  return pages;
}
