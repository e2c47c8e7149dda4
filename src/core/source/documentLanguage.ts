/**
 * The language a message declares in `<html lang>`: the author's (front matter `lang:`, an existing `lang`), else
 * guessed from the script its text is written in, so screen readers and clients pick the right voice and fonts.
 */

/** A BCP 47 tag as authors write them: `en`, `zh-CN`, `pt-BR`, `zh-Hant-TW`. */
export const LANGUAGE_TAG_RE = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/;

/** Enough text to tell the script; a long document is not read to its end. */
export const SAMPLE_CHARS = 20_000;

/** Letters needed in a script before it decides the language: a few Chinese words in an English text do not. */
const SHARE = 0.2;

/**
 * The language of `text` from its script: `ja` for Chinese characters with kana (a tenth of them or more), `ko` for
 * Hangul, `zh-CN` for Chinese characters, else `en`. A script decides when it makes at least a fifth of the letters.
 */
export function detectLanguage(text: string): string {
  let letters = 0;
  let han = 0;
  let kana = 0;
  let hangul = 0;
  for (const m of text.slice(0, SAMPLE_CHARS).matchAll(/\p{L}/gu)) {
    const ch = m[0];
    letters++;
    if (/\p{Script=Han}/u.test(ch)) han++;
    else if (/[\p{Script=Hiragana}\p{Script=Katakana}]/u.test(ch)) kana++;
    else if (/\p{Script=Hangul}/u.test(ch)) hangul++;
  }
  if (letters === 0) return 'en';
  // Japanese writes kana between its kanji; a stray kana in Chinese text (a brand's の) does not make it Japanese.
  if (kana >= 0.1 * (kana + han) && (kana + han) / letters >= SHARE) return 'ja';
  if (hangul / letters >= SHARE) return 'ko';
  if (han / letters >= SHARE) return 'zh-CN';
  return 'en';
}
