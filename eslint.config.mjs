// Flat ESLint config. TypeScript files are linted with type information (floating promises are bugs in an
// extension: an unawaited Thenable hides its error); src/core/ is plain Node and may not import `vscode`.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const noOnly = {
  selector: 'CallExpression[callee.property.name="only"][callee.object.name=/^(describe|it|context|suite|test)$/]',
  message: 'Remove .only: it silently skips every other test.',
};
const coreMessage = 'src/core/ is plain Node: keep VS Code APIs in the adapters outside src/core/.';

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      'dist/**',
      'out/**',
      'media/**',
      'test/host/node_modules/**',
      'test/fixtures/**',
      '.vscode-test/**',
      '.vscode-test-run/**',
      '.test-results/**',
    ],
  },
  {
    files: ['**/*.ts'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: path.dirname(fileURLToPath(import.meta.url)) },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      eqeqeq: ['error', 'smart'],
      'no-restricted-syntax': ['error', noOnly],
    },
  },
  {
    // The preview's page scripts run in the webview (a browser), not in Node.
    files: ['src/webview/**/*.ts', 'src/testing/webview/**/*.ts'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { paths: [{ name: 'vscode', message: coreMessage }], patterns: [{ group: ['vscode/*'], message: coreMessage }] }],
      'no-restricted-syntax': [
        'error',
        noOnly,
        { selector: 'ImportExpression[source.value="vscode"]', message: coreMessage },
        { selector: 'CallExpression[callee.name="require"][arguments.0.value="vscode"]', message: coreMessage },
      ],
    },
  },
  {
    files: ['**/*.js', '**/*.cjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'commonjs', globals: { ...globals.node } },
  },
  {
    files: ['**/*.mjs'],
    extends: [js.configs.recommended],
    languageOptions: { sourceType: 'module', globals: { ...globals.node } },
  },
);
