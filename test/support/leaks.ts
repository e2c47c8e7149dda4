/**
 * The forms in which a secret can leak from an SMTP session, computed independently of the product's scrubbing
 * (src/core/send/secrets.ts `secretForms`), to check that none of them shows up in errors, logs or files.
 */

export const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

/**
 * The ways `text` can leak: itself, its base64, and its base64 inside a longer base64 string at byte offset 0, 1 and
 * 2 (mod 3). For each offset the text is encoded between all-zero and between all-one neighbour bytes: the characters
 * both encodings share are the ones the text alone decides, and they are what an echo of a longer blob contains.
 */
export function leakForms(text: string): string[] {
  const forms = [text, b64(text)];
  for (const shift of [0, 1, 2]) {
    const around = (fill: number): string =>
      Buffer.concat([Buffer.alloc(shift, fill), Buffer.from(text, 'utf8'), Buffer.alloc(3, fill)]).toString('base64');
    const [zeros, ones] = [around(0x00), around(0xff)];
    let run = '';
    let best = '';
    for (let i = 0; i < zeros.length; i++) {
      run = zeros[i] === ones[i] ? run + zeros[i] : '';
      if (run.length > best.length) best = run;
    }
    forms.push(best);
  }
  return forms;
}

/**
 * Every form in which a login can leak: the password and the AUTH PLAIN blobs (`\0user\0password` and, with an
 * authorization identity, `user\0user\0password`) in all forms, and the user only encoded (it is shown by name).
 * With a token: the token and the XOAUTH2 blob `user=…\x01auth=Bearer token\x01\x01`.
 */
export function credentialLeaks(user: string, password?: string, token?: string): string[] {
  const leaks = leakForms(user).slice(1);
  if (password) leaks.push(...leakForms(password), ...leakForms(`\0${user}\0${password}`), ...leakForms(`${user}\0${user}\0${password}`));
  if (token) leaks.push(...leakForms(token), ...leakForms(`user=${user}\x01auth=Bearer ${token}\x01\x01`));
  return leaks;
}

/** Fails when `text` contains any of `leaks`, naming where. */
export function assertNoLeak(where: string, text: string, leaks: readonly string[]): void {
  for (const form of leaks) {
    if (text.includes(form)) throw new Error(`${where} contains ${JSON.stringify(form)}: ${text}`);
  }
}
