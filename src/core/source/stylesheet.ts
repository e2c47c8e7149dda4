/**
 * The default stylesheet of a Markdown email: readable typography in a centered column, bordered tables,
 * shaded code blocks, and a narrow-screen query (kept in a `<style>` block after inlining).
 * Only properties the common clients (Gmail, Outlook, Apple Mail) honour; no web fonts, no variables.
 */
export const DEFAULT_STYLESHEET = `
body { margin: 0; padding: 0; background-color: #ffffff; }
.email-container { max-width: 680px; margin: 0 auto; padding: 24px; font-family: -apple-system, BlinkMacSystemFont, "Segoe UI", Helvetica, Arial, "PingFang SC", "Microsoft YaHei", sans-serif; font-size: 16px; line-height: 1.6; color: #1f2328; word-wrap: break-word; }
h1, h2, h3, h4, h5, h6 { margin: 24px 0 16px 0; font-weight: 600; line-height: 1.25; color: #1f2328; }
h1 { font-size: 28px; padding-bottom: 8px; border-bottom: 1px solid #d1d9e0; }
h2 { font-size: 22px; padding-bottom: 6px; border-bottom: 1px solid #d1d9e0; }
h3 { font-size: 18px; }
h4 { font-size: 16px; }
h5 { font-size: 14px; }
h6 { font-size: 13px; color: #59636e; }
p { margin: 0 0 16px 0; }
a { color: #0969da; text-decoration: underline; }
ul, ol { margin: 0 0 16px 0; padding-left: 28px; }
li { margin: 4px 0; }
blockquote { margin: 0 0 16px 0; padding: 0 16px; color: #59636e; border-left: 4px solid #d1d9e0; }
hr { height: 0; margin: 24px 0; border: 0; border-top: 1px solid #d1d9e0; }
img { max-width: 100%; height: auto; border: 0; }
table { border-collapse: collapse; border-spacing: 0; margin: 0 0 16px 0; }
th, td { padding: 6px 13px; border: 1px solid #d1d9e0; text-align: left; vertical-align: top; }
th { font-weight: 600; background-color: #f6f8fa; }
code { font-family: Consolas, Menlo, Monaco, "Courier New", monospace; font-size: 85%; padding: 2px 4px; background-color: #eff1f3; border-radius: 4px; }
pre { margin: 0 0 16px 0; padding: 16px; overflow: auto; font-size: 85%; line-height: 1.45; background-color: #f6f8fa; border: 1px solid #d1d9e0; border-radius: 6px; white-space: pre-wrap; }
pre code { padding: 0; font-size: 100%; background-color: transparent; border-radius: 0; }
@media only screen and (max-width: 600px) {
  .email-container { padding: 12px !important; font-size: 15px !important; }
  h1 { font-size: 24px !important; }
  h2 { font-size: 20px !important; }
  table { display: block !important; overflow-x: auto !important; }
}
`;
