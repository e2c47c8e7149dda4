// Every user-facing string in src/ goes through l10n (vscode.l10n.t in the VS Code layer, @vscode/l10n's l10n.t in
// the core, the CLI and the preview's plain-Node files): no literal text reaches a notification, a progress title, a
// quick pick, an input box, an error of the product or a line the command-line tool prints for people.
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';
import { projectRoot } from '../support/root';

/** Calls whose listed arguments are shown to the user as they are. */
const SHOWN_ARGS: Record<string, number[]> = {
  showInformationMessage: [0],
  showWarningMessage: [0],
  showErrorMessage: [0],
  info: [0],
  warn: [0],
  error: [0],
  password: [0],
  SendAsEmailError: [1],
};
/** Object properties shown as they are (progress titles, quick pick items and options, input boxes, hints). */
const SHOWN_PROPS = new Set(['title', 'label', 'description', 'detail', 'placeHolder', 'prompt', 'hint', 'saveLabel']);

function sourceFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true })
    .map(String)
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))
    .map((f) => path.join(dir, f));
}

/** True for text a person reads that was not translated: a literal with letters, or a template with literal words. */
function isRawText(node: ts.Expression): boolean {
  if (ts.isParenthesizedExpression(node)) return isRawText(node.expression);
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return /[A-Za-z]{2,}/.test(node.text);
  if (ts.isTemplateExpression(node)) {
    const parts = [node.head.text, ...node.templateSpans.map((s) => s.literal.text)].join(' ');
    return /[A-Za-z]{2,}/.test(parts);
  }
  if (ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken) return isRawText(node.left) || isRawText(node.right);
  if (ts.isConditionalExpression(node)) return isRawText(node.whenTrue) || isRawText(node.whenFalse);
  return false;
}

function calleeName(node: ts.CallExpression | ts.NewExpression): string | undefined {
  const e = node.expression;
  if (ts.isIdentifier(e)) return e.text;
  if (ts.isPropertyAccessExpression(e)) return e.name.text;
  return undefined;
}

/** Where raw text reaches the user in `file`: `file:line: text`. */
function findRawText(file: string, root: string): string[] {
  const text = fs.readFileSync(file, 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.ES2022, true);
  const found: string[] = [];
  const report = (node: ts.Node): void => {
    const { line } = sf.getLineAndCharacterOfPosition(node.getStart());
    found.push(`${path.relative(root, file)}:${line + 1}: ${node.getText().slice(0, 80)}`);
  };
  const visit = (node: ts.Node): void => {
    if (ts.isCallExpression(node) || ts.isNewExpression(node)) {
      const name = calleeName(node);
      for (const i of name && Object.hasOwn(SHOWN_ARGS, name) ? SHOWN_ARGS[name]! : []) {
        const arg = node.arguments?.[i];
        if (arg && isRawText(arg)) report(arg);
      }
    }
    if (ts.isPropertyAssignment(node) && ts.isIdentifier(node.name) && SHOWN_PROPS.has(node.name.text) && isRawText(node.initializer)) {
      report(node.initializer);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

describe('l10n: coverage', () => {
  const root = projectRoot();
  // The page scripts (browser) take their texts from the panel (see page-strings.test.ts); test-only code is not shipped.
  const files = sourceFiles(path.join(root, 'src')).filter((f) => !/[\\/]src[\\/](webview|testing|stubs)[\\/]/.test(f));

  it('finds raw text where it should (the check can fail)', () => {
    const probe = path.join(root, '.test-results', 'l10n-probe.ts');
    fs.mkdirSync(path.dirname(probe), { recursive: true });
    fs.writeFileSync(
      probe,
      "vscode.window.showErrorMessage('Raw text');\nthrow new SendAsEmailError(ErrorCode.X, `No ${x} here`);\nwithProgress({ title: 'Sending' });\nok(l10n.t('Fine {0}', 1));\n",
    );
    try {
      assert.strictEqual(findRawText(probe, root).length, 3);
    } finally {
      fs.rmSync(probe, { force: true });
    }
  });

  it('no notification, prompt, progress title, quick pick or product error shows untranslated text', () => {
    assert.ok(files.length > 40, `only ${files.length} source files found`);
    const found = files.flatMap((f) => findRawText(f, root));
    assert.deepStrictEqual(found, []);
  });
});
