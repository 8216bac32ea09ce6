/** Width and height of an image in pixels. */
export interface ImageDimensions {
  width: number;
  height: number;
}

function uint16BigEndian(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

function uint16LittleEndian(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8);
}

function uint24LittleEndian(bytes: Uint8Array, offset: number): number {
  return bytes[offset]! | (bytes[offset + 1]! << 8) | (bytes[offset + 2]! << 16);
}

function uint32BigEndian(bytes: Uint8Array, offset: number): number {
  return (
    ((bytes[offset]! << 24) >>> 0) +
    (bytes[offset + 1]! << 16) +
    (bytes[offset + 2]! << 8) +
    bytes[offset + 3]!
  );
}

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let text = '';
  for (let index = offset; index < offset + length && index < bytes.length; index += 1) {
    text += String.fromCharCode(bytes[index]!);
  }
  return text;
}

function png(bytes: Uint8Array): ImageDimensions | undefined {
  // Signature, then the IHDR chunk: length, "IHDR", width, height (big-endian).
  if (bytes.length < 24 || ascii(bytes, 12, 4) !== 'IHDR') return undefined;
  return { width: uint32BigEndian(bytes, 16), height: uint32BigEndian(bytes, 20) };
}

function gif(bytes: Uint8Array): ImageDimensions | undefined {
  if (bytes.length < 10) return undefined;
  return { width: uint16LittleEndian(bytes, 6), height: uint16LittleEndian(bytes, 8) };
}

function jpeg(bytes: Uint8Array): ImageDimensions | undefined {
  let offset = 2;
  while (offset + 9 < bytes.length) {
    if (bytes[offset] !== 0xff) return undefined;
    const marker = bytes[offset + 1]!;
    if (marker === 0xff) {
      offset += 1; // fill byte
      continue;
    }
    // Markers without a length: TEM and RST0–7.
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      offset += 2;
      continue;
    }
    const segmentLength = uint16BigEndian(bytes, offset + 2);
    // SOF0–15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width.
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: uint16BigEndian(bytes, offset + 5), width: uint16BigEndian(bytes, offset + 7) };
    }
    if (segmentLength < 2) return undefined;
    offset += 2 + segmentLength;
  }
  return undefined;
}

function webp(bytes: Uint8Array): ImageDimensions | undefined {
  if (bytes.length < 16 || ascii(bytes, 8, 4) !== 'WEBP') return undefined;
  const chunk = ascii(bytes, 12, 4);
  if (chunk === 'VP8 ' && bytes.length >= 30) {
    return { width: uint16LittleEndian(bytes, 26) & 0x3fff, height: uint16LittleEndian(bytes, 28) & 0x3fff };
  }
  if (chunk === 'VP8L' && bytes.length >= 25) {
    const bits = bytes[21]! | (bytes[22]! << 8) | (bytes[23]! << 16) | (bytes[24]! << 24);
    return { width: (bits & 0x3fff) + 1, height: ((bits >> 14) & 0x3fff) + 1 };
  }
  if (chunk === 'VP8X' && bytes.length >= 30) {
    return { width: uint24LittleEndian(bytes, 24) + 1, height: uint24LittleEndian(bytes, 27) + 1 };
  }
  return undefined;
}

/**
 * Reads an image's size from the header of its bytes (PNG, JPEG, GIF or WebP, recognised by
 * their signatures whatever the declared media type), or `undefined` when it cannot.
 */
export function readImageDimensions(bytes: Uint8Array): ImageDimensions | undefined {
  let dimensions: ImageDimensions | undefined;
  if (bytes[0] === 0x89 && ascii(bytes, 1, 3) === 'PNG') dimensions = png(bytes);
  else if (bytes[0] === 0xff && bytes[1] === 0xd8) dimensions = jpeg(bytes);
  else if (ascii(bytes, 0, 4) === 'GIF8') dimensions = gif(bytes);
  else if (ascii(bytes, 0, 4) === 'RIFF') dimensions = webp(bytes);
  if (!dimensions || dimensions.width <= 0 || dimensions.height <= 0) return undefined;
  return dimensions;
}
