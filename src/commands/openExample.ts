import * as vscode from 'vscode';
import type { PreviewManager } from '../preview/previewManager';

/** The example message, in the interface's language: Markdown with front matter, nothing to attach. */
function exampleText(): string {
  const t = vscode.l10n.t;
  return [
    '---',
    `subject: "${t('Hello from Send as Email').replace(/"/g, "'")}"`,
    '---',
    '',
    `# ${t('Your first email')}`,
    '',
    t('This message is written in Markdown. The preview beside it shows exactly what will be sent.'),
    '',
    `- ${t('Edit this text: the preview follows as you type.')}`,
    `- ${t('Press {0} in the preview: the message goes to your own address only.', `**${t('Send Test to Me')}**`)}`,
    `- ${t('To send it to others, add a line such as {0} to the block at the top, then press {1}.', '`to: ada@example.com`', `**${t('Send')}**`)}`,
    '',
    `| ${t('Part')} | ${t('What it becomes')} |`,
    '| --- | --- |',
    `| ${t('Front matter')} | ${t('The headers: subject, to, cc...')} |`,
    `| ${t('Markdown')} | ${t('The HTML part, styled for email, and a plain-text part')} |`,
    '',
  ].join('\n');
}

/** Email: Open Example Email — a new, unsaved Markdown email, with its preview beside it. The walkthrough's second step runs it. */
export function openExampleCommand(previews: PreviewManager) {
  return async (): Promise<void> => {
    const document = await vscode.workspace.openTextDocument({ language: 'markdown', content: exampleText() });
    await vscode.window.showTextDocument(document, vscode.ViewColumn.One);
    previews.show(document);
  };
}
