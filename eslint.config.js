import js from '@eslint/js';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import ts from 'typescript-eslint';
import svelteConfig from './web/svelte.config.js';

/** Dependencies point one way: web and realtime use packages/*, never each other. */
const layering = (forbidden) => ({
  'no-restricted-imports': [
    'error',
    {
      patterns: forbidden.map((name) => ({
        group: [name, `${name}/*`],
        message: 'web/, realtime/ and packages/* depend only on packages/* (see STYLE.md, Layout).',
      })),
    },
  ],
});

export default ts.config(
  {
    ignores: [
      '**/node_modules/**',
      'web/build/**',
      'web/.svelte-kit/**',
      'data/**',
      'test-results/**',
      'playwright-report/**',
    ],
  },
  js.configs.recommended,
  ...ts.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.browser, ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: {
      parserOptions: {
        projectService: true,
        extraFileExtensions: ['.svelte'],
        parser: ts.parser,
        svelteConfig,
      },
    },
  },
  { files: ['web/**'], rules: layering(['@outpost/realtime']) },
  { files: ['packages/**'], rules: layering(['@outpost/realtime', '@outpost/web']) },
  { files: ['realtime/**'], rules: layering(['@outpost/web']) },
);
