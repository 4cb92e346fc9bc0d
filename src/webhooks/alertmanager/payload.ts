import { z } from 'zod';

const labels = z.record(z.string(), z.string());

/** Alertmanager's webhook payload, version 4 (https://prometheus.io/docs/alerting/latest/configuration/#webhook_config). */
export const alertmanagerPayload = z.object({
  version: z.literal('4', { error: 'must be "4" (Alertmanager webhook payload version 4)' }),
  status: z.enum(['firing', 'resolved']),
  receiver: z.string(),
  groupKey: z.string(),
  groupLabels: labels.default({}),
  commonLabels: labels.default({}),
  commonAnnotations: labels.default({}),
  externalURL: z.string().default(''),
  truncatedAlerts: z.number().int().min(0).default(0),
  alerts: z
    .array(
      z.object({
        status: z.enum(['firing', 'resolved']),
        labels,
        annotations: labels.default({}),
        startsAt: z.string(),
        endsAt: z.string().default(''),
        generatorURL: z.string().default(''),
        fingerprint: z.string().min(1),
      }),
    )
    .min(1),
});
export type AlertmanagerPayload = z.output<typeof alertmanagerPayload>;
export type AlertmanagerAlert = AlertmanagerPayload['alerts'][number];
