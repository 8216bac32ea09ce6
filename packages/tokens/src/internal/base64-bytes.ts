const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const values = new Int16Array(128).fill(-1);
for (let index = 0; index < alphabet.length; index += 1) values[alphabet.charCodeAt(index)] = index;
// base64url too, which some callers send.
values[45] = 62;
values[95] = 63;

/**
 * Decodes the first `maxBytes` bytes of base64 `data` (whitespace and padding ignored), with
 * no `Buffer` or `atob` so it runs on any runtime. Returns `undefined` on a character that is
 * not base64.
 */
export function decodeBase64Prefix(
  data: string,
  maxBytes = Number.POSITIVE_INFINITY,
): Uint8Array | undefined {
  const capacity = Math.min(Math.floor((data.length * 3) / 4) + 3, maxBytes);
  const bytes = new Uint8Array(capacity);
  let length = 0;
  let buffer = 0;
  let bits = 0;
  for (let index = 0; index < data.length && length < capacity; index += 1) {
    const unit = data.charCodeAt(index);
    if (unit === 61 || unit === 10 || unit === 13 || unit === 32 || unit === 9) continue;
    const value = unit < 128 ? values[unit]! : -1;
    if (value < 0) return undefined;
    buffer = ((buffer << 6) | value) & 0xffffff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      bytes[length++] = (buffer >> bits) & 0xff;
    }
  }
  return bytes.subarray(0, length);
}

/** The number of bytes base64 `data` decodes to, without decoding it. */
export function base64DecodedLength(data: string): number {
  let padding = 0;
  for (let index = data.length - 1; index >= 0 && data.charCodeAt(index) === 61; index -= 1) padding += 1;
  return Math.max(0, Math.floor(((data.length - padding) * 3) / 4));
}
