import * as l10n from '@vscode/l10n';

/** Sizes as people read them: `900 bytes`, `12.3 KB`, `4.5 MB`. The one formatter of the product (the webview bundle uses it too). */
export function formatBytes(n: number): string {
  if (n < 1024) return l10n.t('{0} bytes', n);
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}
