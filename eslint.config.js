// Lint rules for every part; src/shared must stay free of Node and DOM.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import prettier from 'eslint-config-prettier';

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'release', 'resources', 'test-output'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      eqeqeq: ['error', 'always'],
      'no-console': 'off',
    },
  },
  {
    files: ['src/shared/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'fs', 'path', 'crypto', 'os', 'child_process'],
              message: 'src/shared runs everywhere: no Node modules.',
            },
            {
              group: ['better-sqlite3', 'ws', 'electron', 'react', 'react-dom', 'maplibre-gl'],
              message: 'src/shared must not depend on a runtime.',
            },
            {
              group: ['**/main/**', '**/server/**', '**/renderer/**'],
              message: 'src/shared imports nothing outside itself.',
            },
          ],
        },
      ],
      'no-restricted-globals': ['error', 'window', 'document', 'process', 'Buffer'],
    },
  },
  {
    files: ['src/renderer/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: {
      ...reactHooks.configs.recommended.rules,
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['node:*', 'better-sqlite3', 'ws', 'electron'],
              message: 'The renderer reaches the core only through the contract client.',
            },
            {
              group: ['**/main/**', '**/server/**'],
              message: 'The renderer reaches the core only through the contract client.',
            },
          ],
        },
      ],
    },
  },
  prettier,
);
