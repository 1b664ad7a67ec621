import { createRoute } from '@hono/zod-openapi';
import { AddMembers, CreateDirect, CreateGroup, Inbox, InboxQuery, MarkRead, MemberRole, Message, MessagePage, MessageParam, MessageReceipts, MemberParam, MessagesQuery, ReceiptsList, ReceiptsQuery, RecordParams, SendMessage, Thread, ThreadParam, UpdateThread } from '../contracts/index.ts';
import { body, errors, json, router, secured, userCtx } from '../http/route-helpers.ts';
import { createGroup, openDirect } from './conversations.ts';
import { getThread, inbox, setFollowing } from './inbox.ts';
import { addMembers, removeMember, setMemberRole, updateThread } from './members.ts';
import { markThreadRead, messageReceipts, receiptsOf } from './receipts.ts';
import { listMessages, sendMessage } from './messages.ts';
import { recordThread } from './record-threads.ts';

const tags = ['Threads'];
const thread = '/api/v1/threads/{id}';

const routes = {
  inbox: createRoute({ method: 'get', path: '/api/v1/inbox', tags, security: secured, summary: 'Conversations by latest activity, with unread counts and last messages', request: { query: InboxQuery }, responses: { 200: json(Inbox, 'Inbox'), ...errors(401) } }),
  direct: createRoute({ method: 'post', path: '/api/v1/threads/direct', tags, security: secured, summary: 'The direct thread with one person (made on first use)', request: { body: body(CreateDirect) }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 422) } }),
  group: createRoute({ method: 'post', path: '/api/v1/threads', tags, security: secured, summary: 'Create a group or an announcement channel', request: { body: body(CreateGroup) }, responses: { 201: json(Thread, 'Created'), ...errors(401, 422) } }),
  get: createRoute({ method: 'get', path: thread, tags, security: secured, summary: 'One thread', request: { params: ThreadParam }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 404) } }),
  update: createRoute({ method: 'patch', path: thread, tags, security: secured, summary: "Change a group's or channel's title or avatar (owner and admins)", request: { params: ThreadParam, body: body(UpdateThread) }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 403, 404) } }),
  memberRole: createRoute({ method: 'put', path: `${thread}/members/{userId}`, tags, security: secured, summary: 'Make a member an admin, publisher, member or reader', request: { params: MemberParam, body: body(MemberRole) }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 403, 404) } }),
  messages: createRoute({ method: 'get', path: `${thread}/messages`, tags, security: secured, summary: 'Messages after a seq (catching up) or before one (scrolling back)', request: { params: ThreadParam, query: MessagesQuery }, responses: { 200: json(MessagePage, 'Messages'), ...errors(401, 404) } }),
  send: createRoute({ method: 'post', path: `${thread}/messages`, tags, security: secured, summary: 'Send a message; the same clientId again returns the stored one (200)', request: { params: ThreadParam, body: body(SendMessage) }, responses: { 201: json(Message, 'Sent'), 200: json(Message, 'Already sent with this clientId'), ...errors(401, 403, 404, 422, 429) } }),
  receipts: createRoute({ method: 'get', path: `${thread}/messages/{messageId}/receipts`, tags, security: secured, summary: 'Who has read a message ("3/5 read") and who has not', request: { params: MessageParam }, responses: { 200: json(MessageReceipts, 'Receipts'), ...errors(401, 404) } }),
  receiptsOf: createRoute({ method: 'get', path: `${thread}/receipts`, tags, security: secured, summary: 'Receipts of several of the thread\'s messages at once (a screen of one\'s own messages)', request: { params: ThreadParam, query: ReceiptsQuery }, responses: { 200: json(ReceiptsList, 'Receipts, in seq order'), ...errors(400, 401, 404) } }),
  addMembers: createRoute({ method: 'post', path: `${thread}/members`, tags, security: secured, summary: 'Add people to a group or channel; on a record thread, invite them (shares the record for reading)', request: { params: ThreadParam, body: body(AddMembers) }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 403, 404, 422) } }),
  removeMember: createRoute({ method: 'delete', path: `${thread}/members/{userId}`, tags, security: secured, summary: 'Leave a group or channel, or remove someone from it', request: { params: MemberParam }, responses: { 204: { description: 'Removed' }, ...errors(401, 403, 404) } }),
  read: createRoute({ method: 'post', path: `${thread}/read`, tags, security: secured, summary: 'Mark read up to a seq (never moves back)', request: { params: ThreadParam, body: body(MarkRead) }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 404) } }),
  follow: createRoute({ method: 'put', path: `${thread}/follow`, tags, security: secured, summary: 'Follow a record thread (or unmute a conversation)', request: { params: ThreadParam }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 404) } }),
  unfollow: createRoute({ method: 'delete', path: `${thread}/follow`, tags, security: secured, summary: 'Unfollow a record thread (or mute a conversation)', request: { params: ThreadParam }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 404) } }),
  record: createRoute({ method: 'get', path: '/api/v1/objects/{object}/records/{id}/thread', tags, security: secured, summary: "A record's thread", request: { params: RecordParams }, responses: { 200: json(Thread, 'The thread'), ...errors(401, 404) } }),
};

export function threadRoutes() {
  const app = router();
  app.openapi(routes.inbox, async (c) => {
    const ctx = userCtx(c);
    return c.json(await inbox(ctx, c.req.valid('query')), 200);
  });
  app.openapi(routes.direct, async (c) => {
    const ctx = userCtx(c);
    return c.json(await getThread(ctx, await openDirect(ctx, c.req.valid('json').userId)), 200);
  });
  app.openapi(routes.group, async (c) => {
    const ctx = userCtx(c);
    return c.json(await getThread(ctx, await createGroup(ctx, c.req.valid('json'))), 201);
  });
  app.openapi(routes.get, async (c) => {
    const ctx = userCtx(c);
    return c.json(await getThread(ctx, c.req.valid('param').id), 200);
  });
  app.openapi(routes.update, async (c) => {
    const ctx = userCtx(c);
    const { id } = c.req.valid('param');
    await updateThread(ctx, id, c.req.valid('json'));
    return c.json(await getThread(ctx, id), 200);
  });
  app.openapi(routes.memberRole, async (c) => {
    const ctx = userCtx(c);
    const { id, userId } = c.req.valid('param');
    await setMemberRole(ctx, id, userId, c.req.valid('json').role);
    return c.json(await getThread(ctx, id), 200);
  });
  app.openapi(routes.messages, async (c) => {
    const ctx = userCtx(c);
    return c.json(await listMessages(ctx, c.req.valid('param').id, c.req.valid('query')), 200);
  });
  app.openapi(routes.send, async (c) => {
    const { message, created } = await sendMessage(userCtx(c), c.req.valid('param').id, c.req.valid('json'));
    return created ? c.json(message, 201) : c.json(message, 200);
  });
  app.openapi(routes.receipts, async (c) => {
    const ctx = userCtx(c);
    const { id, messageId } = c.req.valid('param');
    return c.json(await messageReceipts(ctx, id, messageId), 200);
  });
  app.openapi(routes.receiptsOf, async (c) => {
    const ctx = userCtx(c);
    return c.json({ items: await receiptsOf(ctx, c.req.valid('param').id, c.req.valid('query').messageIds) }, 200);
  });
  app.openapi(routes.addMembers, async (c) => {
    const ctx = userCtx(c);
    const { id } = c.req.valid('param');
    await addMembers(ctx, id, c.req.valid('json').userIds);
    return c.json(await getThread(ctx, id), 200);
  });
  app.openapi(routes.removeMember, async (c) => {
    const ctx = userCtx(c);
    const { id, userId } = c.req.valid('param');
    await removeMember(ctx, id, userId);
    return c.body(null, 204);
  });
  app.openapi(routes.read, async (c) => {
    const ctx = userCtx(c);
    const { id } = c.req.valid('param');
    await markThreadRead(ctx, id, c.req.valid('json').seq);
    return c.json(await getThread(ctx, id), 200);
  });
  app.openapi(routes.follow, async (c) => {
    const ctx = userCtx(c);
    return c.json(await setFollowing(ctx, c.req.valid('param').id, true), 200);
  });
  app.openapi(routes.unfollow, async (c) => {
    const ctx = userCtx(c);
    return c.json(await setFollowing(ctx, c.req.valid('param').id, false), 200);
  });
  app.openapi(routes.record, async (c) => {
    const ctx = userCtx(c);
    const { object, id } = c.req.valid('param');
    return c.json(await getThread(ctx, await recordThread(ctx, object, id)), 200);
  });
  return app;
}
