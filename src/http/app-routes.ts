import type { RequestHandler } from 'express';

/**
 * Routes of an app's environments, for every app: `/shop/staging/flagd.json` is
 * `/staging/flagd.json` of the app shop, and `/staging/flagd.json` is the default app's. The first
 * segment is taken for an app only when it names one and no environment of the default app (an
 * environment's routes keep their meaning). `routesOf` throws a refusal for no app when igor
 * serves several and none is the default.
 */
export function routedByApp(options: {
  isApp(name: string): boolean;
  isDefaultEnvironment(name: string): boolean;
  routesOf(app: string | undefined): RequestHandler;
}): RequestHandler {
  return (request, response, next) => {
    const [, first, ...rest] = request.url.split('/');
    const name = first === undefined ? undefined : safeDecode(first);
    if (name !== undefined && rest.length > 0 && options.isApp(name) && !options.isDefaultEnvironment(name)) {
      request.url = `/${rest.join('/')}`;
      options.routesOf(name)(request, response, next);
      return;
    }
    options.routesOf(undefined)(request, response, next);
  };
}

function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
