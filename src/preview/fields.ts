/**
 * The header form: which of the user's field values become overrides, and which do not parse.
 * Addresses are checked with the same parser compose uses, so the form and the message agree.
 */
import * as l10n from '@vscode/l10n';
import { parseAddressList, assertHeaderValue } from '../core/message/addresses';
import { isSendAsEmailError } from '../core/errors';
import type { HeaderOverrides } from '../core/types';
import { FIELD_NAMES, type FieldName, type HeaderFields } from './messages';

/** The form's labels, in the interface's language (the same words the page shows). */
const label = (name: FieldName): string =>
  ({ to: l10n.t('To'), cc: l10n.t('Cc'), bcc: l10n.t('Bcc'), subject: l10n.t('Subject') })[name];

export interface CheckedFields {
  /** The fields that parse, ready for compose. */
  overrides: HeaderOverrides;
  /** The fields that do not, with a sentence naming the offending address. */
  errors: Partial<Record<FieldName, string>>;
}

/** Splits the user's edited fields into valid overrides and errors (an invalid field is left out of the overrides). */
export function checkFields(fields: Partial<HeaderFields>): CheckedFields {
  const overrides: HeaderOverrides = {};
  const errors: Partial<Record<FieldName, string>> = {};
  for (const name of FIELD_NAMES) {
    const value = fields[name];
    if (value === undefined) continue;
    try {
      if (name === 'subject') {
        assertHeaderValue(label(name), value);
        overrides.subject = value;
      } else {
        parseAddressList(value, label(name));
        overrides[name] = value;
      }
    } catch (e) {
      errors[name] = isSendAsEmailError(e) ? e.message : l10n.t('The {0} field cannot be read.', label(name));
    }
  }
  return { overrides, errors };
}
