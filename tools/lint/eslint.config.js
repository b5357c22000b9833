// ESLint for the whole repository; `npm run lint` runs it from the root with zero warnings allowed.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import reactHooks from 'eslint-plugin-react-hooks';
import { importX } from 'eslint-plugin-import-x';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import globals from 'globals';

const root = fileURLToPath(new URL('../..', import.meta.url));

export default tseslint.config(
  {
    basePath: root,
    ignores: [
      'dist/**',
      'datasets/**',
      'node_modules/**',
      'tools/lint/node_modules/**',
      'public/**',
      'test-results/**',
    ],
  },
  {
    basePath: root,
    files: ['**/*.{ts,tsx}'],
    extends: [js.configs.recommended, ...tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: root },
      globals: { ...globals.browser, ...globals.node },
    },
    plugins: { 'import-x': importX, 'react-hooks': reactHooks },
    settings: { 'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${root}/tsconfig.json` })] },
    rules: {
      ...reactHooks.configs['recommended-latest'].rules,
      'import-x/no-cycle': 'error',
      'import-x/no-duplicates': 'error',
      'import-x/first': 'error',
      'import-x/no-self-import': 'error',
      'import-x/order': ['error', { groups: ['builtin', 'external', 'internal', 'parent', 'sibling', 'index'] }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      // `x.reshape(…) as tf.Tensor3D` is how tfjs code picks the rank a generic op returns.
      '@typescript-eslint/no-unnecessary-type-assertion': [
        'error',
        {
          typesToIgnore: [
            'T',
            'tf.Tensor',
            'tf.Scalar',
            'tf.Tensor1D',
            'tf.Tensor2D',
            'tf.Tensor3D',
            'tf.Tensor4D',
            'tf.Tensor[]',
            'tf.Tensor2D[]',
          ],
        },
      ],
      // An interface's async method may have implementations with nothing to await (their throws still become rejections).
      '@typescript-eslint/require-await': 'off',
      // Stores and event objects hold arrow functions; method signatures would make each a false unbound-method.
      '@typescript-eslint/method-signature-style': ['error', 'property'],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    basePath: root,
    files: ['test/**'],
    rules: {
      // Tests damage parsed JSON on purpose and use vitest's asymmetric matchers, which are typed `any`.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      // The CLI's progress line is drawn with terminal escape codes.
      'no-control-regex': 'off',
    },
  },
  {
    basePath: root,
    files: ['**/*.js'],
    extends: [js.configs.recommended],
    languageOptions: { globals: { ...globals.node } },
  },
);
