/**
 * The preview page script's texts (src/webview/), in the interface's language, keyed by their English: the panel puts
 * them on the page (`previewHtml({ strings })`). Every template the page uses is listed here, so the string bundle
 * has it (a unit test checks the two lists agree).
 */
import * as l10n from '@vscode/l10n';

export function pageStrings(): Record<string, string> {
  return {
    'Email body': l10n.t('Email body'),
    'Line {0}: {1}': l10n.t('Line {0}: {1}'),
    'Reveal line {0} in the editor': l10n.t('Reveal line {0} in the editor'),
    'Message {0}': l10n.t('Message {0}'),
    'Message {0} of {1} allowed': l10n.t('Message {0} of {1} allowed'),
    '1 remote image is not loaded: loading it tells its server that the message was opened.': l10n.t(
      '1 remote image is not loaded: loading it tells its server that the message was opened.',
    ),
    '{0} remote images are not loaded: loading them tells their servers that the message was opened.': l10n.t(
      '{0} remote images are not loaded: loading them tells their servers that the message was opened.',
    ),
    File: l10n.t('File'),
    Type: l10n.t('Type'),
    Size: l10n.t('Size'),
    Lines: l10n.t('Lines'),
    'Inline images ({0})': l10n.t('Inline images ({0})'),
    'No inline images.': l10n.t('No inline images.'),
    'Attachments ({0})': l10n.t('Attachments ({0})'),
    Attachments: l10n.t('Attachments'),
    'No attachments.': l10n.t('No attachments.'),
    'HTML part {0}; whole message {1}.': l10n.t('HTML part {0}; whole message {1}.'),
    'Send to every recipient': l10n.t('Send to every recipient'),
    '{0} cannot be composed: {1}': l10n.t('{0} cannot be composed: {1}'),
    'Not set up yet': l10n.t('Not set up yet'),
    'Set Up Sending': l10n.t('Set Up Sending'),
    'Sending is not set up yet: add your SMTP server and sender address, and this message can go out.': l10n.t(
      'Sending is not set up yet: add your SMTP server and sender address, and this message can go out.',
    ),
    'Nothing to show until the error above is fixed.': l10n.t('Nothing to show until the error above is fixed.'),
    'Sending…': l10n.t('Sending…'),
    'Sending a test to you…': l10n.t('Sending a test to you…'),
    'Saving…': l10n.t('Saving…'),
    'Test message: {0}': l10n.t('Test message: {0}'),
    Phone: l10n.t('Phone'),
    'Matters at phone width': l10n.t('Matters at phone width'),
    'Fix: {0}': l10n.t('Fix: {0}'),
    'HTML line {0}': l10n.t('HTML line {0}'),
    'Not supported: {0}': l10n.t('Not supported: {0}'),
    'Partly supported: {0}': l10n.t('Partly supported: {0}'),
    Line: l10n.t('Line'),
    Tested: l10n.t('Tested'),
    'The check of recipients’ email clients did not run: {0}': l10n.t('The check of recipients’ email clients did not run: {0}'),
    Clients: l10n.t('Clients'),
    'Clients ({0})': l10n.t('Clients ({0})'),
    'Checked the HTML as sent against: {0}.': l10n.t('Checked the HTML as sent against: {0}.'),
    'No issues found for: {0}.': l10n.t('No issues found for: {0}.'),
    Feature: l10n.t('Feature'),
    '{0} ({1} places)': l10n.t('{0} ({1} places)'),
    'Not checked, unknown to the data: {0}. See sendAsEmail.check.clients.': l10n.t('Not checked, unknown to the data: {0}. See sendAsEmail.check.clients.'),
    '✖ not supported, ◐ partly supported. Issues marked Phone matter at phone width.': l10n.t('✖ not supported, ◐ partly supported. Issues marked Phone matter at phone width.'),
    'Other checks': l10n.t('Other checks'),
    'Not covered by the data: {0}. Nothing is known about how they show this message.': l10n.t('Not covered by the data: {0}. Nothing is known about how they show this message.'),
    'Data from caniemail.com, last tested {0}.': l10n.t('Data from caniemail.com, last tested {0}.'),
    '1 issue for recipients’ email clients: see the Clients tab': l10n.t('1 issue for recipients’ email clients: see the Clients tab'),
    '{0} issues for recipients’ email clients: see the Clients tab': l10n.t('{0} issues for recipients’ email clients: see the Clients tab'),
    'The check of recipients’ email clients runs once the email is shown.': l10n.t('The check of recipients’ email clients runs once the email is shown.'),
    'Row {0} of {1} ({2} line {3})': l10n.t('Row {0} of {1} ({2} line {3})'),
    'To: {0}': l10n.t('To: {0}'),
    'No recipient': l10n.t('No recipient'),
    'Send to 1 recipient…': l10n.t('Send to 1 recipient…'),
    'Send to {0} recipients…': l10n.t('Send to {0} recipients…'),
  };
}
