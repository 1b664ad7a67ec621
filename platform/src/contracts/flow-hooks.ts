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

export const FlowHookParams = z.object({ flow: z.string().max(100), secret: z.string().max(200) });

export const FlowHookAccepted = z.object({ runId: z.string().meta({ description: 'The run the payload started.' }) }).meta({ id: 'FlowHookAccepted' });
