// @ts-check
/**
 * Lint for every runtime. Type-aware rules (no floating promises, exhaustive switches) and the import
 * boundaries between runtimes, enforced here rather than in review: renderer ↛ main/native/node; native ↛ main/renderer;
 * main ↛ renderer, onnxruntime, and native beyond its protocol and bundle format; preload ↛
 * main/native/renderer.
 *
 * [Note: Main never loads onnxruntime] The inference worker owns every ONNX session and everything
 * that asks onnxruntime a question (providers, sessions); main learns what it needs from the worker's
 * `info` (`main/doctor.ts`). From native/ main may import only the message protocol
 * (`native/protocol.ts`) and the bundle format (`native/bundle/*`, which the model manager verifies
 * before the worker sees a path). The static rule below cannot see `import()` or `require()`, so
 * `no-restricted-syntax` catches those.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const restrict = (group, message) => ['error', { patterns: [{ group, message }] }];

/** [Note: Services know nothing of Electron] only the thin shell files may import it. */
const SHELL_FILES = ['main/index.ts', 'main/window.ts', 'main/media-protocol.ts', 'main/ipc.ts', 'main/safe-storage.ts'];
const electronImport = {
  selector: "ImportDeclaration[source.value='electron']",
  message: 'Only the Electron shell (main/index.ts, window.ts, media-protocol.ts, ipc.ts, safe-storage.ts) imports electron.',
};
// esquery regexes cannot hold a slash, so `.` stands for the path separator.
const MAIN_NATIVE_MESSAGE =
  'Main never loads onnxruntime and imports from native/ only protocol.ts and bundle/* ([Note: Main never loads onnxruntime]).';
const mainDynamicImports = [
  {
    selector: 'ImportExpression[source.value=/^onnxruntime-node/]',
    message: MAIN_NATIVE_MESSAGE,
  },
  {
    selector: "CallExpression[callee.name='require'][arguments.0.value=/^onnxruntime-node/]",
    message: MAIN_NATIVE_MESSAGE,
  },
  {
    selector: 'ImportExpression[source.value=/(^|[.].)native.(?!protocol$|bundle.)/]',
    message: MAIN_NATIVE_MESSAGE,
  },
];

export default tseslint.config(
  {
    ignores: [
      'out/**',
      'dist/**',
      'node_modules/**',
      'coverage/**',
      'test-results/**',
      'playwright-report/**',
      'models/**',
      'bench-data/**',
      'tmp/**',
      '.gpu/**',
      '.gl/**',
      '**/*.py',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: {
        projectService: {
          allowDefaultProject: ['*.js', 'bin/*.js', 'scripts/*.js', 'scripts/*.mjs', '.ci/*.js'],
        },
        tsconfigRootDir: import.meta.dirname,
      },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      // Handlers and interface implementations are async by contract even when one needs no await.
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Empty functions are the idiom for no-op listeners and silent loggers.
      '@typescript-eslint/no-empty-function': 'off',
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true, allowNullish: true }],
    },
  },
  {
    // Plain JS config and launcher scripts: no type information to check against.
    files: ['**/*.{js,mjs,cjs}'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': restrict(
        ['**/main/**', '**/native/**', 'node:*', 'electron', 'better-sqlite3', 'sharp', 'onnxruntime-node'],
        'The renderer talks to main only through preload/contract.ts.',
      ),
    },
  },
  {
    files: ['native/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['**/main/**', '**/renderer/**', 'electron', 'better-sqlite3'],
        'The inference worker must not depend on main or the renderer.',
      ),
    },
  },
  {
    files: ['main/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/renderer/**'], message: 'Main must not import renderer code.' },
            {
              // Gitignore semantics: a file cannot be re-allowed under an excluded folder, so native's
              // children are excluded one level deep and the bundle folder is re-allowed as a whole.
              group: ['onnxruntime-node', 'onnxruntime-node/**', '**/native/*', '!**/native/protocol', '!**/native/bundle'],
              message: MAIN_NATIVE_MESSAGE,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['preload/**/*.ts'],
    rules: {
      'no-restricted-imports': restrict(
        ['**/main/**', '**/native/**', '**/renderer/**'],
        'Preload holds the contract and the bridge only.',
      ),
    },
  },
  // One `no-restricted-syntax` per file (a later block would replace an earlier one's list).
  { files: ['native/**/*.ts'], rules: { 'no-restricted-syntax': ['error', electronImport] } },
  {
    files: ['main/**/*.ts'],
    ignores: SHELL_FILES,
    rules: { 'no-restricted-syntax': ['error', electronImport, ...mainDynamicImports] },
  },
  { files: SHELL_FILES, rules: { 'no-restricted-syntax': ['error', ...mainDynamicImports] } },
  {
    files: ['test/**/*.{ts,tsx}'],
    rules: {
      // Tests poke at internals and build odd inputs on purpose.
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
