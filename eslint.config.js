// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'dist/', 'coverage/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  ...layers(),
  {
    files: ['scripts/**', 'test/**'],
    rules: { 'no-console': 'off' },
  },
);

/**
 * Which folder of src/ may import which: lower layers never import higher ones. `shared` is the
 * vocabulary everyone may use (phrases, names, actors, refusals, the clock); the features at the
 * top (alarms, chat, ci, flags, github, http, webhooks) may use every lower layer; only the composition
 * root (src/app.ts, src/main.ts) sees everything. Written as regexes over relative import paths.
 */
function layers() {
  const higher = ['alarms', 'chat', 'ci', 'flags', 'github', 'http', 'webhooks'];
  const may = {
    shared: [],
    config: ['shared'],
    store: ['shared'],
    fleet: ['shared', 'config'],
    integration: ['shared', 'config', 'fleet'],
    analysis: ['shared', 'config', 'fleet'],
    pipeline: ['shared', 'config', 'store', 'fleet', 'integration', 'analysis'],
  };
  const folders = [...Object.keys(may), ...higher];
  const rootModules = ['app', 'main', 'igor-data'];
  const rule = (forbidden, message) => ({
    'no-restricted-imports': ['error', { patterns: [{ regex: `^(\\.\\./)+(${forbidden.join('|')})(/|\\.js$)`, message }] }],
  });
  return [
    ...Object.entries(may).map(([layer, allowed]) => ({
      files: [`src/${layer}/**/*.ts`],
      rules: rule(
        [...folders.filter((folder) => folder !== layer && !allowed.includes(folder)), ...rootModules],
        `src/${layer} may import only ${allowed.length ? allowed.map((a) => `src/${a}`).join(', ') : 'node and its libraries'} (see the layers in eslint.config.js)`,
      ),
    })),
    { files: higher.map((feature) => `src/${feature}/**/*.ts`), rules: rule(rootModules, 'only the composition root imports src/app.ts, src/main.ts and src/igor-data.ts') },
  ];
}
