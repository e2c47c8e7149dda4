/**
 * Bundle stand-in for `undici`. cheerio's main entry imports it only for `fromURL()`, which this project
 * never calls; aliasing it here (esbuild.js) keeps ~1 MB of HTTP client out of the extension bundle.
 */
function unavailable(): never {
  throw new Error('undici is not bundled with Send as Email (cheerio.fromURL is not used).');
}

export class Client {
  constructor() {
    unavailable();
  }
}
export const interceptors = { redirect: unavailable };
export const errors = { ResponseError: class ResponseError extends Error {} };
