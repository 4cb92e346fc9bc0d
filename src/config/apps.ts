import type { z } from 'zod';
import { nearest } from '../shared/nearest.js';
import { RefusedError } from '../shared/refusal.js';
import { findEnvironment } from './environments.js';
import type { appsSchema, Config } from './schema.js';

/**
 * The apps one igor serves, each as a config of the single-app form (its name in `app`, the
 * shared channels, alarms and artifacts filled in where it sets none), and the app a command
 * means when it names none.
 */
export interface AppsConfig {
  /** In igor.yml's order. */
  apps: ReadonlyMap<string, Config>;
  /** `defaultApp`, else the only app; null with several apps and no `defaultApp`. */
  defaultApp: string | null;
}

/** The single-app form is one app, named by its `app`. */
export function fromSingleApp(config: Config): AppsConfig {
  return { apps: new Map([[config.app, config]]), defaultApp: config.app };
}

/** Each entry of `apps:` as a config of its own. */
export function fromAppsForm(form: z.output<typeof appsSchema>): AppsConfig {
  const apps = new Map<string, Config>();
  for (const [name, app] of Object.entries(form.apps)) {
    apps.set(name, {
      app: name,
      repo: app.repo,
      defaultEnvironment: app.defaultEnvironment,
      channels: { deploys: app.channels?.deploys ?? form.channels.deploys, alerts: app.channels?.alerts ?? form.channels.alerts },
      integration: app.integration,
      environments: app.environments,
      alarms: form.alarms,
      artifacts: app.artifacts ?? form.artifacts,
      github: form.github,
      people: form.people,
      groups: form.groups,
    });
  }
  const only = apps.size === 1 ? [...apps.keys()][0]! : null;
  return { apps, defaultApp: form.defaultApp ?? only };
}

/** `name` when it is a configured app; otherwise a refusal with the nearest name and the apps. */
export function appNamed(config: AppsConfig, name: string): string {
  if (config.apps.has(name)) return name;
  const names = [...config.apps.keys()];
  const guess = nearest(name, names);
  throw new RefusedError('not-found', `there is no app "${name}"${guess ? ` (did you mean ${guess}?)` : ''}; configured: ${names.join(', ')}`);
}

/** The app a command means when its text names none: `defaultApp`, else a refusal listing the apps. */
export function defaultAppOf(config: AppsConfig, example: string): string {
  if (config.defaultApp) return config.defaultApp;
  const names = [...config.apps.keys()];
  throw new RefusedError('bad-input', `name the app: ${names.map((name) => `${name}/${example}`).join(', ')} (or set defaultApp)`);
}

/**
 * Which app a ref typed after `/deploy` is of: when the part before the first `/` names an app,
 * the rest is that app's ref (`shop/feature/x` is `feature/x` of `shop`); otherwise the whole text
 * is a ref of the default app (`feature/x`, or `shop/` of a repository with such a branch).
 * @example appOfRef(config, 'shop/feature/x') // { app: 'shop', ref: 'feature/x' }
 */
export function appOfRef(config: AppsConfig, text: string): { app: string; ref: string } {
  const slash = text.indexOf('/');
  const named = slash > 0 ? text.slice(0, slash) : undefined;
  if (named !== undefined && config.apps.has(named) && slash < text.length - 1) return { app: named, ref: text.slice(slash + 1) };
  // With no default app, `shpo/main` can only have meant an app: say which.
  if (named !== undefined && !config.defaultApp) appNamed(config, named);
  return { app: defaultAppOf(config, text), ref: text };
}

/**
 * The app a mistyped `app/ref` most likely meant (`shpo/main` → `shop/main`), for a ref of the
 * default app that does not exist; undefined when its first part is near no other app.
 * @example appMeantBy(config, 'shpo/main') // 'shop/main'
 */
export function appMeantBy(config: AppsConfig, ref: string): string | undefined {
  const slash = ref.indexOf('/');
  if (slash <= 0 || slash === ref.length - 1) return undefined;
  const guess = nearest(ref.slice(0, slash), [...config.apps.keys()].filter((name) => name !== config.defaultApp));
  return guess && `${guess}/${ref.slice(slash + 1)}`;
}

/**
 * Which app's environment `app/env` or a bare `env` names; a bare `env` (or none) is the default
 * app's. An unknown app is refused with the nearest name.
 * @example appOfEnvironment(config, 'billing/production') // { app: 'billing', environment: 'production' }
 */
export function appOfEnvironment(config: AppsConfig, text: string | undefined): { app: string; environment: string | undefined } {
  const slash = text?.indexOf('/') ?? -1;
  if (text === undefined || slash < 0) return { app: defaultAppOf(config, text ?? '<env>'), environment: text };
  return { app: appNamed(config, text.slice(0, slash)), environment: text.slice(slash + 1) || undefined };
}

/**
 * Whether `word` names a configured environment: `billing/production` of that app, or a bare
 * `production` of the default app. For grammars where a word may be an environment or something
 * else (`/rollback [env] [release]`).
 * @example namesEnvironment(config, 'billing/production') // true
 */
export function namesEnvironment(config: AppsConfig, word: string): boolean {
  const slash = word.indexOf('/');
  const app = slash < 0 ? config.defaultApp : word.slice(0, slash);
  const settings = app === null ? undefined : config.apps.get(app);
  return settings !== undefined && findEnvironment(settings, slash < 0 ? word : word.slice(slash + 1)) !== undefined;
}
