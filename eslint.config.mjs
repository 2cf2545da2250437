import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import { importX } from 'eslint-plugin-import-x';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

// One style and one dependency direction for the whole repository. Prettier decides formatting
// (eslint-config-prettier turns the style rules off); ESLint checks types, import cycles and the
// layers: app → api/http → modules → approvals/audit/access → core. `npm test` runs both first.

// ── Layers: which part of lib/ may import which. Each entry: the files of the layer and the
// import specifiers they must not use. Imports across directories use the `@/` alias (relative
// imports that climb out of a directory are refused below), so a specifier names its layer.
const ABOVE_MODULES = ['@/lib/http/**', '@/lib/api/**', '@/lib/openapi/**', '@/lib/runtime/**', '@/lib/cli/**', '@/lib/testing/**'];
// What the approval engine's users may not reach: the table and the deciding side import the modules.
const APPROVALS_ABOVE = ['@/lib/approvals/executors', '@/lib/approvals/service'];
const LAYERS = [
  {
    name: 'core (db, env, errors, logger, crypto, schema pieces)',
    files: ['lib/core/**'],
    forbid: ['@/lib/access/**', '@/lib/audit/**', '@/lib/approvals/**', '@/lib/modules/**', ...ABOVE_MODULES],
  },
  {
    name: 'the audit core',
    files: ['lib/audit/**'],
    // The actor's request metadata is the one thing it takes from access (a type).
    forbid: ['@/lib/access/**', '!@/lib/access/actor', '@/lib/approvals/**', '@/lib/modules/**', ...ABOVE_MODULES],
  },
  {
    name: 'access (actor, permissions, guard, scope, sessions)',
    files: ['lib/access/**'],
    forbid: ['@/lib/approvals/**', '@/lib/modules/**', ...ABOVE_MODULES],
  },
  {
    name: 'the approval engine',
    files: ['lib/approvals/**'],
    ignores: ['lib/approvals/executors.ts', 'lib/approvals/service.ts'],
    forbid: ['@/lib/modules/**', ...APPROVALS_ABOVE, ...ABOVE_MODULES],
  },
  {
    name: 'the approval table and decisions',
    files: ['lib/approvals/executors.ts', 'lib/approvals/service.ts'],
    forbid: ABOVE_MODULES,
  },
  {
    name: 'the domain modules',
    files: ['lib/modules/**'],
    ignores: ['lib/modules/notifications/**'],
    forbid: [...APPROVALS_ABOVE, ...ABOVE_MODULES],
  },
  {
    // The dashboard's notifications read across modules, the approval inbox included.
    name: 'the notifications (a read across modules)',
    files: ['lib/modules/notifications/**'],
    forbid: ['@/lib/approvals/executors', ...ABOVE_MODULES],
  },
  {
    name: 'http (route, action, session, idempotency, rate limit)',
    files: ['lib/http/**'],
    forbid: ['@/lib/api/**', '@/lib/openapi/**', '@/lib/runtime/**', '@/lib/cli/**', '@/lib/testing/**'],
  },
  {
    name: 'openapi (the document builder)',
    files: ['lib/openapi/**'],
    // It describes the API keys' scopes, from their schema; nothing else of the modules.
    forbid: ['@/lib/api/**', '@/lib/modules/*/**', '!@/lib/modules/*/schema', '@/lib/approvals/**', '@/lib/runtime/**', '@/lib/cli/**', '@/lib/testing/**'],
  },
  {
    name: 'the /api/v1 definitions',
    files: ['lib/api/**'],
    forbid: ['@/lib/runtime/**', '@/lib/cli/**', '@/lib/testing/**'],
  },
  {
    name: 'runtime (server, migrations, readiness, Next.js process)',
    files: ['lib/runtime/**'],
    forbid: ['@/lib/cli/**', '@/lib/testing/**'],
  },
  {
    name: 'the web app',
    files: ['app/**', 'components/**', 'instrumentation.ts'],
    // The readiness probe (/api/ready) and the maintenance round (instrumentation.ts) are the runtime's parts the app starts.
    forbid: ['@/lib/cli/**', '@/lib/testing/**', '@/lib/runtime/**', '!@/lib/runtime/readiness*', '!@/lib/runtime/maintenance'],
  },
];
// ── end of layers

/** Refused everywhere under lib/: the app and its components sit above all of it. */
const LIB_NEVER = [
  { group: ['@/app/**', '@/components/**'], message: 'Nothing under lib/ imports app/ or components/: move what is shared into lib/.' },
  { regex: '^(\\.\\./)+(app|components)(/|$)', message: 'Nothing under lib/ imports app/ or components/.' },
];

function restrictions(patterns) {
  return ['error', { patterns }];
}

const TESTS = ['**/*.test.ts', '**/*.test.tsx', 'e2e/**', 'bench/**'];

export default defineConfig(
  {
    ignores: ['lib/generated/**', '.next/**', '.data/**', 'node_modules/**', 'next-env.d.ts', 'test-results/**', 'playwright-report/**', 'bench/.results/**'],
  },
  js.configs.recommended,
  tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    plugins: { 'import-x': importX },
    settings: {
      // Without these, import-x reads no TypeScript module and so sees no cycle through one.
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts', '.tsx', '.mts', '.cts'] },
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: './tsconfig.json' })],
    },
    rules: {
      // No cycle among the modules of lib/ and app/, whether the imports are static or dynamic.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      '@typescript-eslint/consistent-type-definitions': ['error', 'type'],
      // A leading underscore marks a binding kept on purpose (a destructured field left out).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
      // Numbers print unambiguously in a template; null, undefined, objects and booleans still do not pass.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `(x) => setState(x)` is the idiom for callbacks whose result nobody reads.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Playwright's fixtures take `({}, use)` when they need no other fixture.
      'no-empty-pattern': ['error', { allowObjectPatternsAsParameters: true }],
      // Off until tsconfig has noUncheckedIndexedAccess: the code guards array and record lookups
      // (`rows[0]?.id`, `map[key] ?? fallback`) as if it were on, and this rule calls every such
      // guard unnecessary. Deleting them would remove real checks; turning the compiler option on
      // (about 150 type errors today) is the way to earn this rule back.
      '@typescript-eslint/no-unnecessary-condition': 'off',
    },
  },
  {
    // Tests read parsed JSON (API answers, exported files) and check its shape with expect(), which
    // is the assertion; typing every parsed body first would add casts, not safety.
    files: TESTS,
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
      // Test doubles take the shape of what they replace (an async callback that need not await, a
      // loosely typed record to tamper with, a mock returning a promise where a callback is typed void).
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-misused-promises': 'off',
      '@typescript-eslint/no-unused-expressions': 'off',
    },
  },
  {
    // Plain JavaScript (the CLI's entry, configs, the page-server child): no type information.
    files: ['**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.cjs'],
    languageOptions: { sourceType: 'commonjs' },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // No dynamic import() under lib/: it hides cycles and load order.
    files: ['lib/**'],
    // The CLI loads commands lazily (startup time, and the environment is set before lib/ loads);
    // the schema engine's wasm glue is loaded from a path found at run time.
    ignores: ['lib/cli/**', 'lib/runtime/migrations/wasm-engine.ts'],
    rules: {
      'no-restricted-syntax': ['error', { selector: 'ImportExpression', message: 'No dynamic import() under lib/: import statically (a cycle it would hide is an error).' }],
    },
  },
  // The layer table, then the rules for lib/ as a whole and the CLI. One no-restricted-imports per
  // file: a later block replaces an earlier one's options, so each block carries the full list.
  ...LAYERS.map((layer) => ({
    name: `layers/${layer.name}`,
    files: layer.files,
    ignores: [...(layer.ignores ?? []), ...TESTS],
    rules: {
      'no-restricted-imports': restrictions([
        ...(layer.files.some((f) => f.startsWith('lib/'))
          ? [...LIB_NEVER, { regex: '^\\.\\./', message: 'Import across directories with the @/ alias, so that the layer rules see it.' }]
          : []),
        { group: layer.forbid, message: `Not from ${layer.name}: dependencies point app → api/http → modules → approvals/audit/access → core.` },
      ]),
    },
  })),
  {
    name: 'layers/cli',
    files: ['lib/cli/**'],
    ignores: TESTS,
    rules: {
      'no-restricted-imports': restrictions([
        ...LIB_NEVER,
        { regex: '^\\.\\./\\.\\./', message: 'Import lib/ outside the CLI with the @/ alias.' },
        { group: ['@/lib/testing/**'], message: 'The CLI does not use the test factories.' },
      ]),
    },
  },
  {
    name: 'layers/tests',
    files: ['lib/**/*.test.ts', 'lib/testing/**'],
    // Tests may use the factories and every layer they test; the CLI's own tests import the CLI.
    ignores: ['lib/cli/**'],
    rules: { 'no-restricted-imports': restrictions([...LIB_NEVER, { group: ['@/lib/cli/**'], message: 'Only the CLI and its own tests import lib/cli.' }]) },
  },
  {
    name: 'layers/cli-tests',
    files: ['lib/cli/**/*.test.ts'],
    rules: { 'no-restricted-imports': restrictions(LIB_NEVER) },
  },
  {
    // Only the CLI imports lib/cli: nothing it calls may import it back. (The end-to-end and fault
    // suites, which nothing imports, may drive the CLI's build and database helpers.)
    name: 'layers/not-cli',
    files: ['prisma/**'],
    rules: { 'no-restricted-imports': restrictions([{ group: ['@/lib/cli/**'], message: 'Only the CLI imports lib/cli.' }]) },
  },
  prettier,
);
