import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router } from 'express';
import { HttpError } from '../../http/errors.js';
import { EMOJI } from './public/emoji.js';

export const PUBLIC = join(dirname(fileURLToPath(import.meta.url)), 'public');
/** The pages' files: plain HTML, CSS, ES modules and the icon, served as they are. */
const ASSETS: ReadonlyMap<string, string> = new Map([
  ['console.js', 'text/javascript; charset=utf-8'],
  ['deployment.js', 'text/javascript; charset=utf-8'],
  ['deployments.js', 'text/javascript; charset=utf-8'],
  ['blocks.js', 'text/javascript; charset=utf-8'],
  ['emoji.js', 'text/javascript; charset=utf-8'],
  ['session.js', 'text/javascript; charset=utf-8'],
  ['console.css', 'text/css; charset=utf-8'],
  ['favicon.svg', 'image/svg+xml'],
]);
/** Twemoji's SVG files (CC-BY 4.0), from the npm package @twemoji/svg. */
const TWEMOJI = dirname(createRequire(import.meta.url).resolve('@twemoji/svg/package.json'));
/** `rocket.svg`: an emoji's image, by its Slack name. */
const EMOJI_FILE = /^([a-z0-9_+-]+)\.svg$/;

/**
 * The console's and the deployment pages' files, the emoji of igor's messages as images (so they
 * show without an emoji font), and the icon. No auth: nothing here is igor's state.
 */
export function consoleFiles(): Router {
  const router = Router();

  router.get('/console/assets/:file', (request, response) => {
    const type = ASSETS.get(request.params.file);
    if (!type) throw new HttpError(404, `the console has no file ${request.params.file}`);
    response.set({ 'content-type': type, 'cache-control': 'no-cache', 'x-content-type-options': 'nosniff' }).sendFile(join(PUBLIC, request.params.file));
  });

  router.get('/console/emoji/:file', (request, response) => {
    const name = EMOJI_FILE.exec(request.params.file)?.[1];
    if (!name || !Object.hasOwn(EMOJI, name)) throw new HttpError(404, `the console has no emoji ${request.params.file}`);
    // An image never changes for its name: browsers keep it for a day.
    response.set({ 'content-type': 'image/svg+xml', 'cache-control': 'public, max-age=86400', 'x-content-type-options': 'nosniff' }).sendFile(join(TWEMOJI, `${EMOJI[name]}.svg`));
  });

  // Browsers ask for /favicon.ico whatever the page says.
  router.get('/favicon.ico', (_request, response) => response.redirect(301, '/console/assets/favicon.svg'));

  return router;
}
