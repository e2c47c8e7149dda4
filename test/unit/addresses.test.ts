import * as assert from 'assert';
import { addressOnly, assertHeaderValue, isValidAddress, parseAddressList, parseMailboxes } from '../../src/core/message/addresses';
import { formatMailbox } from '../../src/core/mailbox';
import { ErrorCode, isSendAsEmailError } from '../../src/core/errors';

function rejects(fn: () => unknown, code: ErrorCode, ...mustMention: string[]): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(isSendAsEmailError(e, code), `expected ${code}, got ${String(e)}`);
    for (const m of mustMention) assert.ok(e.message.includes(m), `"${e.message}" does not mention ${m}`);
    assert.ok(!/!/.test(e.message), 'no exclamation marks');
    return true;
  });
}

describe('addresses', () => {
  it('parses comma-separated strings and lists, with display names in any script', () => {
    assert.deepStrictEqual(parseAddressList('a@example.com, "ATE系统" <ate@example.com>,Bob <bob@example.com>', 'To'), [
      'a@example.com',
      'ATE系统 <ate@example.com>',
      'Bob <bob@example.com>',
    ]);
    assert.deepStrictEqual(parseAddressList(['x@example.com', 'y@example.com, z@example.com'], 'Cc'), ['x@example.com', 'y@example.com', 'z@example.com']);
    assert.deepStrictEqual(parseMailboxes('"ATE系统" <ate@example.com>', 'To'), [{ name: 'ATE系统', address: 'ate@example.com' }]);
  });

  it('returns nothing for empty input and flattens groups', () => {
    assert.deepStrictEqual(parseAddressList(undefined, 'To'), []);
    assert.deepStrictEqual(parseAddressList('', 'To'), []);
    assert.deepStrictEqual(parseAddressList([' '], 'To'), []);
    assert.deepStrictEqual(parseAddressList('team: a@example.com, b@example.com;', 'To'), ['a@example.com', 'b@example.com']);
  });

  it('quotes display names that need it, so the result parses back to the same mailbox', () => {
    const formatted = formatMailbox({ name: 'Doe, Jane "JD"', address: 'jane@example.com' });
    assert.strictEqual(formatted, '"Doe, Jane \\"JD\\"" <jane@example.com>');
    assert.deepStrictEqual(parseMailboxes(formatted, 'To'), [{ name: 'Doe, Jane "JD"', address: 'jane@example.com' }]);
  });

  it('rejects an invalid address naming it and the field', () => {
    rejects(() => parseAddressList('ok@example.com, not-an-address', 'To'), ErrorCode.INVALID_ADDRESS, '"not-an-address"', 'To');
    rejects(() => parseAddressList(['Someone <someone@>'], 'Cc'), ErrorCode.INVALID_ADDRESS, 'someone@', 'Cc');
    rejects(() => parseAddressList('a@@example.com', 'Bcc'), ErrorCode.INVALID_ADDRESS, 'a@@example.com', 'Bcc');
    rejects(() => parseAddressList('Just A Name', 'Reply-To'), ErrorCode.INVALID_ADDRESS, '"Just A Name"', 'Reply-To');
  });

  it('validates addresses: dot-atoms, quoted local parts, IDN domains and literals', () => {
    for (const ok of ['a@b', 'first.last+tag@sub.example.co.uk', '"john doe"@example.com', '用户@例子.中国', 'x@[127.0.0.1]']) {
      assert.ok(isValidAddress(ok), ok);
    }
    for (const bad of ['', 'plain', '@example.com', 'a@', 'a..b@example.com', 'a@-example.com', 'a b@example.com', 'a@exa mple.com']) {
      assert.ok(!isValidAddress(bad), bad);
    }
  });

  it('rejects a line break in any header value, naming the header', () => {
    rejects(() => assertHeaderValue('Subject', 'Hello\r\nBcc: victim@example.com'), ErrorCode.HEADER_INJECTION, 'Subject');
    rejects(() => assertHeaderValue('Subject', 'Hello\nthere'), ErrorCode.HEADER_INJECTION, 'Subject');
    rejects(() => parseAddressList('a@example.com\r\nBcc: b@example.com', 'To'), ErrorCode.HEADER_INJECTION, 'To');
    assert.doesNotThrow(() => assertHeaderValue('Subject', '测试邮件 with tabs\tand spaces'));
  });

  it('extracts the bare address', () => {
    assert.strictEqual(addressOnly('"ATE系统" <ate@example.com>'), 'ate@example.com');
    assert.strictEqual(addressOnly('bob@example.com'), 'bob@example.com');
  });
});
