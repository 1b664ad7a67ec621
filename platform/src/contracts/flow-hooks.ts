import { z } from 'zod';

/** A webhook flow's secret URL, as administrators see it. */
export const FlowWebhook = z
  .object({
    flow: z.string(),
    path: z.string().meta({ description: 'POST the payload (JSON) here, on this server: /api/v1/hooks/flows/{flow}/{secret}.' }),
    secret: z.string(),
    rotatedAt: z.string(),
  })
  .meta({ id: 'FlowWebhook' });
export type FlowWebhook = z.infer<typeof FlowWebhook>;

/** A flow's API name and its secret (base64url): anything else is not a webhook URL, whatever flows exist. */
export const FlowHookParams = z.object({ flow: z.string().regex(/^[a-z][a-z0-9_]{0,49}$/), secret: z.string().regex(/^[A-Za-z0-9_-]{1,200}$/) });

export const FlowHookAccepted = z.object({ runId: z.string().meta({ description: 'The run the payload started.' }) }).meta({ id: 'FlowHookAccepted' });
