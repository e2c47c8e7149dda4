/**
 * One line on what to do about a feature a client lacks: a table for the features email authors reach for most,
 * a general sentence for the rest.
 */
import * as l10n from '@vscode/l10n';

const FIXES: Record<string, () => string> = {
  'css-background-image': () => l10n.t('Set a background-color that reads well on its own, or use VML for Outlook for Windows.'),
  'css-background': () => l10n.t('Write the colour as background-color, and keep images in <img> elements.'),
  'html-svg': () => l10n.t('Use a PNG instead of inline <svg> (SVG images are converted to PNG when sent).'),
  'image-svg': () => l10n.t('Use a PNG instead of an SVG image.'),
  'image-webp': () => l10n.t('Use a PNG or JPEG instead of WebP.'),
  'image-base64': () => l10n.t('Refer to the image by a file path so it is sent as an inline part, not a data: URL.'),
  'css-display-flex': () => l10n.t('Lay out columns with a table (role="presentation") instead of display:flex.'),
  'css-display-grid': () => l10n.t('Lay out columns with a table (role="presentation") instead of display:grid.'),
  'css-display': () => l10n.t('Use tables for layout; use display:none only on elements other than <img>.'),
  'css-position': () => l10n.t('Do not rely on position; place things in table cells instead.'),
  'css-border-radius': () => l10n.t('Accept square corners in Outlook for Windows, or use VML for rounded buttons.'),
  'css-max-width': () => l10n.t('Give the element a fixed width attribute too, or wrap it in a table with a width.'),
  'css-width': () => l10n.t('Use the width attribute on tables and images as well as the CSS property.'),
  'css-at-media': () => l10n.t('Make the layout work without media queries (fluid widths), and treat them as an enhancement.'),
  'css-at-font-face': () => l10n.t('List a web-safe fallback font after the web font in font-family.'),
  'css-variables': () => l10n.t('Write the values themselves instead of var(); CSS variables are dropped.'),
  'css-at-media-prefers-color-scheme': () => l10n.t('Make the light design readable when a client inverts it; dark styles are an enhancement.'),
  'css-margin': () => l10n.t('Use padding on table cells instead of margin.'),
  'css-padding': () => l10n.t('Put padding on table cells (<td>) rather than on other elements.'),
  'css-box-shadow': () => l10n.t('Do not rely on box-shadow; use a border instead.'),
  'css-linear-gradient': () => l10n.t('Set a background-color fallback before the gradient.'),
  'css-rgba': () => l10n.t('Use solid hex colours instead of rgba().'),
  'css-opacity': () => l10n.t('Use a solid colour instead of opacity.'),
  'css-float': () => l10n.t('Use table cells or the align attribute instead of float.'),
  'html-style': () => l10n.t('Keep the styles inline (CSS inlining does this) and keep <style> in the <head> under 16 KB.'),
  'html-comments': () => l10n.t('Remove comments other than Outlook conditional comments.'),
  'css-comments': () => l10n.t('Remove comments from the style sheet.'),
};

/** The fix for a caniemail feature (by slug), or a general one naming the feature. */
export function fixFor(slug: string, feature: string): string {
  const fix = FIXES[slug];
  return fix ? fix() : l10n.t('Make sure the message still reads well without {0} in these clients.', feature);
}
