import { describe, expect, it } from 'vitest';
import { readImageDimensions } from './image-dimensions.js';

const bytes = (values: number[]) => Uint8Array.from(values);

describe('readImageDimensions', () => {
  it('reads a PNG header', () => {
    const png = [
      0x89, 0x50, 0x4e, 0x47, 13, 10, 26, 10, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52, 0, 0, 2, 0x80, 0, 0, 1,
      0xe0,
    ];
    expect(readImageDimensions(bytes(png))).toEqual({ width: 640, height: 480 });
  });

  it('reads a JPEG start-of-frame after an APP0 segment', () => {
    const app0 = [0xff, 0xe0, 0, 4, 0, 0];
    const sof0 = [0xff, 0xc0, 0, 11, 8, 0x01, 0x2c, 0x01, 0x90, 3, 0, 0, 0, 0];
    expect(readImageDimensions(bytes([0xff, 0xd8, ...app0, ...sof0]))).toEqual({ width: 400, height: 300 });
  });

  it('reads a GIF header', () => {
    expect(readImageDimensions(bytes([...Buffer.from('GIF89a'), 0x20, 0x03, 0x58, 0x02]))).toEqual({
      width: 800,
      height: 600,
    });
  });

  it('reads the three WebP variants', () => {
    const riff = (chunk: string, body: number[]) =>
      bytes([
        ...Buffer.from('RIFF'),
        0,
        0,
        0,
        0,
        ...Buffer.from('WEBP'),
        ...Buffer.from(chunk),
        0,
        0,
        0,
        0,
        ...body,
      ]);
    const lossy = riff('VP8 ', [0, 0, 0, 0x9d, 0x01, 0x2a, 0x40, 0x01, 0xf0, 0x00, 0, 0]);
    expect(readImageDimensions(lossy)).toEqual({ width: 320, height: 240 });
    const width = 99;
    const height = 49;
    const packed = (width - 1) | ((height - 1) << 14);
    const lossless = riff('VP8L', [
      0x2f,
      packed & 255,
      (packed >> 8) & 255,
      (packed >> 16) & 255,
      (packed >>> 24) & 255,
      0,
      0,
      0,
      0,
    ]);
    expect(readImageDimensions(lossless)).toEqual({ width, height });
    const extended = riff('VP8X', [0, 0, 0, 0, 0x1f, 0x03, 0x00, 0x0f, 0x02, 0x00, 0, 0]);
    expect(readImageDimensions(extended)).toEqual({ width: 800, height: 528 });
  });

  it('answers undefined for bytes that are no known image', () => {
    expect(readImageDimensions(bytes([1, 2, 3, 4, 5, 6, 7, 8]))).toBeUndefined();
  });
});
