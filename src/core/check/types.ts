/**
 * The contract of the recipients check (client compatibility from the caniemail data, plus the image, link, size and
 * accessibility checks), shared by the preview's Clients tab, the CLI's `check` command and the tests.
 * Plain Node; importing this file loads nothing heavy.
 */

export type CheckSeverity = 'error' | 'warning';

/** One finding: a feature (or a rule) and every client it affects, grouped. */
export interface CheckIssue {
  /**
   * The rule id, stable across versions and usable in `sendAsEmail.check.disable`: `caniemail:<feature slug>` for the
   * data (for example `caniemail:css-background-image`), otherwise the rule's own id (`svg-inline`, `image-alt`…).
   */
  id: string;
  /** error: not supported (or a problem for every client); warning: partial support, or a likely problem. */
  severity: CheckSeverity;
  /** What is affected, in the data's words (`background-image`, `<svg> element`) or the rule's (`Image alt text`). */
  feature: string;
  /**
   * The clients affected, as display names (`Outlook (Windows)`, `Gmail (Android)`); empty when the issue is not
   * about a client (missing alt, size, contrast).
   */
  clients: string[];
  /** The families of `clients` (`Gmail`, `Outlook`…), in the report's `families` order: the table's columns. */
  families: string[];
  /** 1-based line in the sent HTML (after CSS inlining), when known. */
  line?: number;
  /** 1-based line in the source document (raw HTML in Markdown, HTML files), when the offending text was found there. */
  sourceLine?: number;
  /** One sentence: what recipients will see. Localized. */
  message: string;
  /** One line: what to do about it. Localized. */
  fix: string;
  /** When the data for this feature was last tested (YYYY-MM-DD), for caniemail issues. */
  testedDate?: string;
  /** True when the issue matters mostly at phone width (mobile clients only, or layout that breaks when narrow). */
  phoneOnly?: boolean;
  /** How many places in the message have this same issue (the line is the first); absent for one. */
  count?: number;
  /** caniemail's notes for partial support, verbatim (English: the data has no translation). */
  notes?: string[];
}

export interface CheckReport {
  /** Errors first, then warnings; within a severity in order of line. */
  issues: CheckIssue[];
  /** Display names of every client checked. */
  clients: string[];
  /** The families checked (`Gmail`, `Outlook`, `Apple Mail`, `Yahoo`, `Thunderbird`…), in order, for table columns. */
  families: string[];
  /** Each client's family (`Outlook.com` -> `Outlook`, `Thunderbird` -> `Thunderbird`). */
  familyOf: Record<string, string>;
  /** Clients people use that the data has no entry for (QQ Mail, 163, Foxmail): nothing is known about them. */
  untested: string[];
  /** The day the data was last updated (YYYY-MM-DD). */
  dataDate: string;
  /** Names in the client list that are neither a family nor a client of the data (they were skipped). */
  unknownClients: string[];
}

/** An inline image of the composed message, for the size and alt checks. */
export interface CheckImage {
  /** File name or reference as written. */
  name: string;
  /** Bytes. */
  size: number;
  /** The alt text, when the `<img>` has one. */
  alt?: string;
  /** 1-based source line, when known. */
  sourceLine?: number;
}

export interface CheckInput {
  /** The composed HTML after CSS inlining: what is sent. */
  html: string;
  /** The source document's text, for mapping issues to its lines. */
  sourceText?: string;
  sourceKind: 'markdown' | 'html';
  /**
   * Markdown only: styled by `sendAsEmail.markdown.stylesheet`, not the built-in stylesheet (whose deliberate uses of
   * features some clients ignore are warnings, not errors).
   */
  customStylesheet?: boolean;
  /**
   * Clients to check: family names (`gmail`, `outlook`, `apple-mail`, `yahoo`, `thunderbird`, `samsung-email`…) or
   * caniemail client ids (`gmail.desktop-webmail`, `outlook.windows`). Default: DEFAULT_CHECK_CLIENTS.
   */
  clients?: readonly string[];
  /** Rule ids to skip (`sendAsEmail.check.disable`); a `caniemail` entry skips the whole data check. */
  disable?: readonly string[];
  /** The whole message's size in bytes, when known. */
  messageSize?: number;
  /** The account's SMTP SIZE limit in bytes, when known. */
  sizeLimit?: number;
  inlineImages?: readonly CheckImage[];
}

/** The default client list: the families most recipients read in. */
export const DEFAULT_CHECK_CLIENTS: readonly string[] = ['gmail', 'outlook', 'apple-mail', 'yahoo', 'thunderbird'];

/** Runs the check. The caniemail data is loaded on the first call only. */
export type CheckMessage = (input: CheckInput) => Promise<CheckReport>;
