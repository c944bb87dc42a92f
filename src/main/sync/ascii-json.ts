// JSON as ASCII bytes: every non-ASCII character written as a \u escape. Node 20 turns UTF-8 with Chinese text into
// a string at ~100 MB/s and parses the two-byte string it makes at two thirds the speed of a one-byte one; ASCII
// becomes a string at memory speed. Used where JSON crosses a boundary in bulk: pull answers handed from the pull
// reader's worker to the main thread, and request bodies sent to the server.

/** The two hex digits of a byte, as ASCII codes: high digit, low digit. */
const HEX_HIGH = new Uint8Array(256);
const HEX_LOW = new Uint8Array(256);
for (let byte = 0; byte < 256; byte += 1) {
  HEX_HIGH[byte] = '0123456789abcdef'.charCodeAt(byte >> 4);
  HEX_LOW[byte] = '0123456789abcdef'.charCodeAt(byte & 15);
}

let scratchBuffer = new Uint8Array(0);

/** Scratch space kept between calls is at most this (a page of pull answer needs ~4 MB); larger is made per call. */
const SCRATCH_KEPT = 16 * 1024 * 1024;

/** A buffer of at least `size` bytes, reused up to SCRATCH_KEPT: its contents are garbage. */
function scratch(size: number): Uint8Array {
  if (size > SCRATCH_KEPT) return new Uint8Array(size);
  if (scratchBuffer.length < size)
    scratchBuffer = new Uint8Array(Math.min(SCRATCH_KEPT, Math.max(size, scratchBuffer.length * 2)));
  return scratchBuffer;
}

/** Writes `\uXXXX` for a UTF-16 code unit at `at`; returns where the next byte goes. */
function writeEscape(out: Uint8Array, at: number, unit: number): number {
  const high = unit >> 8;
  const low = unit & 255;
  out[at] = 0x5c;
  out[at + 1] = 0x75;
  out[at + 2] = HEX_HIGH[high] as number;
  out[at + 3] = HEX_LOW[high] as number;
  out[at + 4] = HEX_HIGH[low] as number;
  out[at + 5] = HEX_LOW[low] as number;
  return at + 6;
}

/**
 * The same JSON in ASCII: every non-ASCII character of valid UTF-8 JSON written as a \u escape (a pair for one
 * beyond the BMP). Non-ASCII can only be inside JSON strings, where an escape means the same character, so it parses
 * to the same values. Handed from the worker to the main thread: a one-byte string is made from it in a fraction of
 * a millisecond and parses in two thirds of the time, where the decoded two-byte text cost ~15 ms per 2,000-change
 * page to receive and parse. ASCII bytes are copied one by one as the scan passes them (~2.6 ms per 1.2 MB page;
 * copying each run between non-ASCII characters whole took 5.6 ms: a page has ~7,000 such runs, each a subarray).
 */
export function asciiJson(utf8: Uint8Array): Uint8Array {
  const n = utf8.length;
  // Two UTF-8 bytes become six, three become six, four become twelve: at most three times the input. Written into
  // a scratch buffer kept between calls (a fresh zero-filled one per page, three times its size, cost more than
  // the escaping), then copied out at its length.
  const out = scratch(n * 3);
  let j = 0;
  for (let i = 0; i < n;) {
    const b = utf8[i] as number;
    if (b < 0x80) {
      out[j] = b;
      j += 1;
      i += 1;
      continue;
    }
    const b1 = (utf8[i + 1] ?? 0) & 0x3f;
    if (b < 0xe0) {
      j = writeEscape(out, j, ((b & 0x1f) << 6) | b1);
      i += 2;
    } else if (b < 0xf0) {
      j = writeEscape(out, j, ((b & 0x0f) << 12) | (b1 << 6) | ((utf8[i + 2] ?? 0) & 0x3f));
      i += 3;
    } else {
      const point =
        (((b & 0x07) << 18) | (b1 << 12) | (((utf8[i + 2] ?? 0) & 0x3f) << 6) | ((utf8[i + 3] ?? 0) & 0x3f)) -
        0x10000;
      j = writeEscape(out, j, 0xd800 + (point >> 10));
      j = writeEscape(out, j, 0xdc00 + (point & 0x3ff));
      i += 4;
    }
  }
  return out.slice(0, j);
}

/** Parses JSON given as ASCII bytes (see asciiJson). */
export function parseAsciiJson(json: Uint8Array): unknown {
  return JSON.parse(Buffer.from(json.buffer, json.byteOffset, json.byteLength).toString('latin1'));
}
