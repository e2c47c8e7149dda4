// Every error the product reports has a code from the one table; an error nothing describes stays unknown.
import * as assert from 'assert';
import { ErrorCode, SendAsEmailError, toSendAsEmailError } from '../../src/core/errors';

describe('errors', () => {
  it('keeps a product error as it is', () => {
    const e = new SendAsEmailError(ErrorCode.SMTP_AUTH_FAILED, 'refused');
    assert.strictEqual(toSendAsEmailError(e), e);
  });

  it('reports an unexpected exception (a bug in a dependency, say) as UNEXPECTED, never as a server refusal', () => {
    const bug = new TypeError("Cannot read properties of undefined (reading 'length')");
    const e = toSendAsEmailError(bug);
    assert.strictEqual(e.code, ErrorCode.UNEXPECTED);
    assert.ok(e.message.includes(bug.message), e.message);
    assert.strictEqual(e.extra.cause, bug);
    assert.strictEqual(toSendAsEmailError('a thrown string').code, ErrorCode.UNEXPECTED);
  });

  it('has one table: every code is its own name', () => {
    for (const [key, value] of Object.entries(ErrorCode)) assert.strictEqual(value, key);
  });
});
