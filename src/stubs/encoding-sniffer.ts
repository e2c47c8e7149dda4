/**
 * Bundle stand-in for `encoding-sniffer` (and the iconv-lite tables behind it). cheerio imports it only for
 * `loadBuffer()`/`fromURL()`; this project always hands cheerio decoded strings.
 */
function unavailable(): never {
  throw new Error('encoding-sniffer is not bundled with Send as Email (cheerio.loadBuffer is not used).');
}

export function decodeBuffer(): never {
  return unavailable();
}
export class DecodeStream {
  constructor() {
    unavailable();
  }
}
