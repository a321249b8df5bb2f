// The linter `npm test` runs over the product code (and the tests and benchmarks):
// typescript-eslint's recommended rules, plus the type-aware ones that catch
// what tests miss: a promise nobody awaits (a write that fails silently, a
// rejection that crashes the process later), a promise where a boolean or a
// void callback is expected, and a switch that forgets a case.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'portal/dist/', 'bench/peers/', 'bench/results/', 'test/artifacts/', '.scratch/', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', destructuredArrayIgnorePattern: '^_' }],
      // `any` is allowed only where a comment says why (see the registry in subgraphs/index.ts).
      '@typescript-eslint/no-explicit-any': 'error',
      'no-control-regex': 'off',
    },
  },
);
