/**
 * Secrets kept out of every message, log line and error: the password (or OAuth2 token) and the AUTH blobs that
 * carry it, in every form they can take on the wire (plain, base64 at each byte alignment), replaced by a placeholder.
 */
/** Secrets shorter than this are not scrubbed, and no form shorter than this is (it would hide ordinary words). */
const MIN_SECRET_LENGTH = 3;

/**
 * The base64 characters that depend on `bytes` alone when they sit at byte offset `shift` (0, 1 or 2, mod 3) inside
 * a longer base64-encoded string: the characters shared with neighbouring bytes are left out.
 */
function base64Core(bytes: Buffer, shift: number): string {
  const encoded = Buffer.concat([Buffer.alloc(shift), bytes]).toString('base64');
  return encoded.slice(Math.ceil((8 * shift) / 6), Math.floor((8 * (shift + bytes.length)) / 6));
}

/** The base64 forms of `text` (UTF-8): the whole encoding with padding, and the core at each of the three alignments. */
function base64Forms(text: string): string[] {
  const bytes = Buffer.from(text, 'utf8');
  return [bytes.toString('base64'), base64Core(bytes, 0), base64Core(bytes, 1), base64Core(bytes, 2)];
}

/**
 * Every form in which `secret` can show up in an SMTP transcript, a server reply or an error: the text itself, its
 * base64 encoding, and the part of its base64 that depends on the secret alone at byte offset 0, 1 or 2 (mod 3)
 * inside a longer encoded string, as in AUTH PLAIN (`\0user\0password`) and XOAUTH2 blobs. Longest first; none
 * for a secret shorter than 3 characters.
 */
export function secretForms(secret: string): string[] {
  if (!secret || secret.length < MIN_SECRET_LENGTH) return [];
  const forms = [secret, ...base64Forms(secret)].filter((f) => f.length >= MIN_SECRET_LENGTH);
  return [...new Set(forms)].sort((a, b) => b.length - a.length);
}

/**
 * The secrets of an SMTP login, as `scrubSecrets` takes them: the password (or OAuth2 token), and the strings the
 * client sends that contain it (AUTH PLAIN `\0user\0password` and its `user\0user\0password` form with an
 * authorization identity; XOAUTH2 `user=…\x01auth=Bearer token\x01\x01`), each hidden in every form
 * (`secretForms`). The user name stays readable; only its base64 (the AUTH LOGIN user line) is hidden.
 */
export function loginSecrets(login: { user?: string; password?: string; token?: string }): string[] {
  const { user, password, token } = login;
  const out: string[] = [];
  if (password) {
    out.push(password);
    if (user) out.push(`\0${user}\0${password}`, `${user}\0${user}\0${password}`);
  }
  if (token) {
    out.push(token);
    if (user) out.push(`user=${user}\x01auth=Bearer ${token}\x01\x01`);
  }
  if (user && out.length > 0) out.push(...base64Forms(user).filter((f) => f.length >= MIN_SECRET_LENGTH));
  return out;
}

const regexEscape = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * A function that replaces every form (`secretForms`) of each secret in a text with `placeholder`, in one pass
 * (longest forms first, so a whole AUTH blob goes before the password inside it). Build it once per set of secrets.
 */
export function secretScrubber(secrets: readonly string[] | undefined, placeholder = '/* secret */'): (text: string) => string {
  const forms = [...new Set((secrets ?? []).flatMap(secretForms))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (text) => text;
  const pattern = new RegExp(forms.map(regexEscape).join('|'), 'g');
  return (text) => text.replace(pattern, () => placeholder);
}

/** Replaces every secret, in every form (`secretForms`), in `text`. */
export function scrubSecrets(text: string, secrets: readonly string[] | undefined): string {
  return secretScrubber(secrets)(text);
}

/** The original error, or a scrubbed copy of it if a secret shows up anywhere in it (a server echoing it back). */
export function cleanCause(cause: unknown, secrets: readonly string[] | undefined): unknown {
  if (!(cause instanceof Error) || !secrets?.length) return cause;
  const fields = cause as unknown as Record<string, unknown>;
  const texts = [cause.message, cause.stack, ...Object.values(fields).filter((v): v is string => typeof v === 'string')];
  if (texts.every((t) => t === undefined || scrubSecrets(t, secrets) === t)) return cause;
  const copy = new Error(scrubSecrets(cause.message, secrets));
  copy.stack = scrubSecrets(cause.stack ?? '', secrets);
  for (const [key, value] of Object.entries(fields)) {
    if (typeof value === 'string') (copy as unknown as Record<string, unknown>)[key] = scrubSecrets(value, secrets);
    else if (typeof value === 'number' || typeof value === 'boolean') (copy as unknown as Record<string, unknown>)[key] = value;
  }
  return copy;
}
