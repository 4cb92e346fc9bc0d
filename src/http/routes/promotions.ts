import { Router } from 'express';
import { z } from 'zod';
import type { Pipelines } from '../../pipeline/pipelines.js';
import { HttpError } from '../errors.js';
import { apiActor } from '../api-tokens.js';
import { deploymentView } from './deployments.js';

const name = (field: string) => z.string({ error: `${field} must be a name` }).min(1, { error: `${field} must not be empty` });

/** The body of `POST /api/promotions`; `user` is read by `apiActor`. */
const promotionBody = z.object(
  {
    app: name('app').optional(),
    from: name('from'),
    environment: name('environment'),
    user: z.string({ error: 'user must be a Slack user id' }).optional(),
    queue: z.boolean({ error: 'queue must be true or false' }).optional(),
  },
  { error: 'the body must be a JSON object { app?, from, environment, user, queue? }' },
);

/** `POST /api/promotions { app?, from, environment, user, queue? }`, as `/deploy promote [app/]<from> to <env>` (and `Queue`). */
export function promotionRoutes(pipelines: Pipelines, publicUrl: () => string): Router {
  const router = Router();
  router.post('/', async (request, response) => {
    const raw: unknown = request.body ?? {};
    const parsed = promotionBody.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0]!;
      // A missing field is named as missing: zod's message for it is the wrong type's.
      const field = issue.path.length === 1 ? String(issue.path[0]) : null;
      const missing = field !== null && typeof raw === 'object' && raw !== null && !Object.hasOwn(raw, field);
      throw new HttpError(400, missing ? `${field} is required` : issue.message);
    }
    const body = parsed.data;
    const deployment = await pipelines.of(body.app).requestPromotion({ from: body.from, environment: body.environment, actor: apiActor(request, response), queue: body.queue === true });
    response.status(202).json({ id: deployment.id, deployment: deploymentView(deployment, publicUrl()) });
  });
  return router;
}
