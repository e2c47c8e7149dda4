/**
 * The header form: which of the user's field values become overrides, and which do not parse.
 * Addresses are checked with the same parser compose uses, so the form and the message agree.
 */
import * as l10n from '@vscode/l10n';
import { parseAddressList, assertHeaderValue } from '../core/message/addresses';
import { isSendAsEmailError } from '../core/errors';
import type { HeaderOverrides } from '../core/types';
import { FIELD_NAMES, type FieldName, type HeaderFields } from './messages';

const LABEL: Record<FieldName, string> = { to: 'To', cc: 'Cc', bcc: 'Bcc', subject: 'Subject' };

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
        assertHeaderValue(LABEL[name], value);
        overrides.subject = value;
      } else {
        parseAddressList(value, LABEL[name]);
        overrides[name] = value;
      }
    } catch (e) {
      errors[name] = isSendAsEmailError(e) ? e.message : l10n.t('The {0} field cannot be read.', LABEL[name]);
    }
  }
  return { overrides, errors };
}
