// The `data-urls` package ships no types: what decodeDataUri (loadImage.ts) uses of it.
declare module 'data-urls' {
  interface MIMEType {
    /** `type/subtype`, lower case. */
    readonly essence: string;
  }
  /** Parses a data: URL as the Fetch standard says; null when it is not one. */
  function parseDataURL(input: string): { mimeType: MIMEType; body: Uint8Array } | null;
  export = parseDataURL;
}
