// @ts-check
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';

export default ts.config(
  { ignores: ['**/node_modules/', '**/dist/', '**/generated/', 'packages/bench/results/'] },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs['flat/recommended'],
  // Last, so no stylistic rule fights Prettier.
  prettier,
  ...svelte.configs['flat/prettier'],
  {
    languageOptions: {
      globals: { ...globals.node },
      parserOptions: {
        // Config files outside every tsconfig still get types from a default project.
        projectService: { allowDefaultProject: ['vitest.config.ts', 'prisma/prisma.config.ts', 'prisma/*.d.mts'] },
        tsconfigRootDir: import.meta.dirname,
        extraFileExtensions: ['.svelte'],
      },
    },
    rules: {
      // The type-aware rules that catch real bugs (a lost rejection, a promise where a callback returns void)
      // for a fraction of recommendedTypeChecked's cost on a shared machine.
      '@typescript-eslint/no-floating-promises': 'error',
      // Node's callback APIs (http handlers, socket.io middleware, timers) take async functions on purpose here;
      // each handles its own errors, and no-floating-promises still catches a promise that is dropped.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
    },
  },
  {
    files: ['apps/web/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      // It flags every Map, Set and Date in a .svelte.ts file, including locals and private caches that are
      // never rendered; the state classes choose $state on purpose where the UI reads the value.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: ts.parser } },
  },
  {
    // Plain JS config files sit outside every tsconfig; type-aware rules cannot run there.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    ...ts.configs.disableTypeChecked,
  },
  {
    // The SQLite checkpoint worker is CommonJS on purpose (see the file), so require() is its import.
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
