// @ts-check
/**
 * Lint for every runtime. Type-aware rules (no floating promises, exhaustive switches) and the import
 * boundaries between runtimes (style.md §2): renderer ↛ main/native/node; native ↛ main/renderer;
 * main ↛ renderer; preload ↛ main/native/renderer.
 */
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';

const restrict = (group, message) => ['error', { patterns: [{ group, message }] }];

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
    rules: { 'no-restricted-imports': restrict(['**/renderer/**'], 'Main must not import renderer code.') },
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
  {
    files: ['main/**/*.ts', 'native/**/*.ts'],
    ignores: ['main/index.ts', 'main/window.ts', 'main/protocol.ts', 'main/ipc.ts'],
    rules: {
      // [Note: Services know nothing of Electron] only the thin shell files may import it.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ImportDeclaration[source.value='electron']",
          message: 'Only the Electron shell (main/index.ts, window.ts, protocol.ts, ipc.ts) imports electron.',
        },
      ],
    },
  },
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
