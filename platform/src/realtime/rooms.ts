/** Room names carry the workspace's schema: several workspaces share one socket.io server. */
export const threadRoom = (schema: string, threadId: string) => `t:${schema}:${threadId}`;
export const userRoom = (schema: string, userId: string) => `u:${schema}:${userId}`;
/** Sockets showing an object's records (a board, a list): told that they changed, never what. */
export const objectRoom = (schema: string, object: string) => `o:${schema}:${object}`;
/** Every socket of the workspace: presence changes go here. */
export const workspaceRoom = (schema: string) => `w:${schema}`;
export const threadOfRoom = (room: string, schema: string) => (room.startsWith(`t:${schema}:`) ? room.slice(`t:${schema}:`.length) : null);
