import { z } from 'zod';
import { Id, idList } from './common.ts';

export const PresenceStatus = z
  .enum(['online', 'away', 'offline'])
  .meta({ id: 'PresenceStatus', description: 'online: a connected tab is in use; away: every connected tab is idle; offline: none is connected.' });
export type PresenceStatus = z.infer<typeof PresenceStatus>;

/** Socket event `presence:set`: the tab became idle (`away`) or is used again (`online`). */
export const SetPresence = z.object({ status: z.enum(['online', 'away']) }).strict();

export const PresenceQuery = z.object({
  userIds: idList(200).meta({ description: 'Up to 200 user ids, comma-separated.' }),
});

export const PresenceList = z
  .object({ items: z.array(z.object({ userId: Id, status: PresenceStatus })).meta({ description: 'One per requested id, in the order asked; unknown ids are offline.' }) })
  .meta({ id: 'PresenceList' });
export type PresenceList = z.infer<typeof PresenceList>;
