// Style sheets imported `with { type: 'text' }` (highlightPackages.ts): esbuild gives their text as a string.
declare module '*.css' {
  const text: string;
  export default text;
}
