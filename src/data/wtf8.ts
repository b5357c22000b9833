// A JavaScript string as bytes and back, for byte-level tokenizers. UTF-8, except that a lone surrogate (a
// UTF-16 half with no partner, which a string may hold and UTF-8 cannot) is written as its own three bytes, as
// WTF-8 does, instead of TextEncoder's U+FFFD: so every string comes back exactly as it was.

/** The string's bytes: UTF-8, with lone surrogates as three bytes each. */
export function stringBytes(text: string): Uint8Array {
  const out = new Uint8Array(text.length * 3);
  let n = 0;
  for (let i = 0; i < text.length; i++) {
    let c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < text.length) {
      const low = text.charCodeAt(i + 1);
      if (low >= 0xdc00 && low <= 0xdfff) {
        c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
        i++;
      }
    }
    if (c < 0x80) out[n++] = c;
    else if (c < 0x800) {
      out[n++] = 0xc0 | (c >> 6);
      out[n++] = 0x80 | (c & 0x3f);
    } else if (c < 0x10000) {
      out[n++] = 0xe0 | (c >> 12);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    } else {
      out[n++] = 0xf0 | (c >> 18);
      out[n++] = 0x80 | ((c >> 12) & 0x3f);
      out[n++] = 0x80 | ((c >> 6) & 0x3f);
      out[n++] = 0x80 | (c & 0x3f);
    }
  }
  return out.slice(0, n);
}

const REPLACEMENT = 0xfffd;

/** The continuation bytes a lead byte takes, and the range its first one must be in (no overlong forms, nothing past U+10FFFF). */
function leadOf(byte: number): { more: number; low: number; high: number } | null {
  if (byte >= 0xc2 && byte <= 0xdf) return { more: 1, low: 0x80, high: 0xbf };
  if (byte === 0xe0) return { more: 2, low: 0xa0, high: 0xbf };
  // 0xED 0xA0–0xBF are surrogates: UTF-8 refuses them, WTF-8 (ours) takes them.
  if (byte >= 0xe1 && byte <= 0xef) return { more: 2, low: 0x80, high: 0xbf };
  if (byte === 0xf0) return { more: 3, low: 0x90, high: 0xbf };
  if (byte >= 0xf1 && byte <= 0xf3) return { more: 3, low: 0x80, high: 0xbf };
  if (byte === 0xf4) return { more: 3, low: 0x80, high: 0x8f };
  return null;
}

/**
 * Bytes as a string: what stringBytes wrote comes back exactly. Bytes that are not such a sequence (a token cut in
 * the middle of a character, say) read as U+FFFD, one for each longest broken start, as TextDecoder reads them.
 */
export function bytesString(bytes: ArrayLike<number>): string {
  const units: number[] = [];
  let text = '';
  for (let i = 0; i < bytes.length;) {
    const lead = bytes[i];
    if (lead < 0x80) {
      units.push(lead);
      i++;
    } else {
      const form = leadOf(lead);
      let c = form ? lead & (0x3f >> form.more) : 0;
      let k = 1;
      for (; form && k <= form.more; k++) {
        const next = bytes[i + k];
        const [low, high] = k === 1 ? [form.low, form.high] : [0x80, 0xbf];
        if (next === undefined || next < low || next > high) break;
        c = (c << 6) | (next & 0x3f);
      }
      if (!form || k <= form.more) {
        units.push(REPLACEMENT);
        i += k;
      } else {
        if (c >= 0x10000) units.push(0xd800 + ((c - 0x10000) >> 10), 0xdc00 + ((c - 0x10000) & 0x3ff));
        else units.push(c);
        i += form.more + 1;
      }
    }
    if (units.length > 8192) {
      text += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return text + String.fromCharCode(...units);
}
