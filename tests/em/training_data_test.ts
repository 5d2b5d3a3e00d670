import { deepStrictEqual as assertEquals, throws as assertThrows } from "node:assert/strict";
import { decode, encode } from "fast-png";
import { pngForeground } from "../../src/em/training_data.ts";
import { seededRandom } from "../../src/random.ts";

/** A random 0/1 mask whose width is not a multiple of 8 (rows of packed bits get padded). */
function randomMask(height: number, width: number, seed: number): Uint8Array {
  const random = seededRandom(seed);
  return new Uint8Array(height * width).map(() => (random() < 0.4 ? 1 : 0));
}

Deno.test("pngForeground() reads 1-bit PNG masks (packed rows) like 8-bit ones", () => {
  const [height, width] = [7, 13];
  const mask = randomMask(height, width, 3);
  const rowBytes = Math.ceil(width / 8);
  const packed = new Uint8Array(rowBytes * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (mask[y * width + x]) packed[y * rowBytes + (x >> 3)]! |= 0x80 >> (x & 7);
    }
  }
  const oneBit = decode(encode({ width, height, channels: 1, depth: 1, data: packed }));
  assertEquals(oneBit.depth, 1);
  assertEquals(pngForeground(oneBit), mask);
  const eightBit = decode(
    encode({ width, height, channels: 1, depth: 8, data: mask.map((v) => v * 255) }),
  );
  assertEquals(pngForeground(eightBit), mask);
  // The old reading (one byte per pixel) of the 1-bit file gives a different mask.
  const naive = new Uint8Array(width * height).map((_, p) => (oneBit.data[p]! >= 128 ? 1 : 0));
  assertEquals(naive.some((v, p) => v !== mask[p]), true);
});

Deno.test("pngForeground() reads 16-bit and two-channel masks by the first channel", () => {
  const [height, width] = [5, 6];
  const mask = randomMask(height, width, 4);
  const sixteen = new Uint16Array(mask.length).map((_, p) => mask[p]! * 65535);
  assertEquals(pngForeground({ width, height, channels: 1, depth: 16, data: sixteen }), mask);
  const greyAlpha = new Uint8Array(2 * mask.length).map((
    _,
    i,
  ) => (i % 2 ? 255 : mask[i >> 1]! * 200));
  assertEquals(pngForeground({ width, height, channels: 2, depth: 8, data: greyAlpha }), mask);
  assertThrows(
    () => pngForeground({ width, height, channels: 1, depth: 3, data: mask }),
    /bit depth 3/,
  );
});
