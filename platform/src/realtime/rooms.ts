/** Room names carry the workspace's schema: several workspaces share one socket.io server. */
export const threadRoom = (schema: string, threadId: string) => `t:${schema}:${threadId}`;
export const userRoom = (schema: string, userId: string) => `u:${schema}:${userId}`;
export const threadOfRoom = (room: string, schema: string) => (room.startsWith(`t:${schema}:`) ? room.slice(`t:${schema}:`.length) : null);
