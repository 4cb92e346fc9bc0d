import { Router, type RequestHandler } from 'express';

/**
 * Routes of an app's environment may name the app first: `/shop/staging/flagd.json` is
 * `/staging/flagd.json` of the app shop. The first segment is taken for an app only when it names
 * one and no environment (an environment's routes keep their meaning); the rest is routed as is.
 */
export function appNamedFirst(names: { isApp(name: string): boolean; isEnvironment(name: string): boolean }): RequestHandler {
  return (request, _response, next) => {
    const [, first, ...rest] = request.url.split('/');
    const name = first === undefined ? undefined : safeDecode(first);
    if (name !== undefined && rest.length > 0 && names.isApp(name) && !names.isEnvironment(name)) request.url = `/${rest.join('/')}`;
    next();
  };
}

/** `router`, mounted where `:app` is in the path, for the apps `checkApp` accepts (it throws for others). */
export function forApp(checkApp: (name: string) => void, router: Router): Router {
  const scoped = Router({ mergeParams: true });
  scoped.use((request, _response, next) => {
    checkApp((request.params as { app: string }).app);
    next();
  }, router);
  return scoped;
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
