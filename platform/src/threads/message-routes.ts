import { createRoute } from '@hono/zod-openapi';
import {
  EditMessage,
  ForwardMessage,
  ForwardResult,
  Message,
  MessageHistory,
  MessageParam,
  MessagingSettings,
  Pins,
  ReactionParam,
  Reactions,
  Reminded,
  ThreadParam,
} from '../contracts/index.ts';
import { body, errors, json, router, secured, userCtx } from '../http/route-helpers.ts';
import { editMessage, messageHistory, recallMessage } from './edits.ts';
import { forwardMessage } from './forward.ts';
import { getMessage } from './messages.ts';
import { messagingSettings, updateMessagingSettings } from './messaging-settings.ts';
import { listPins, setPinned } from './pins.ts';
import { setReaction } from './reactions.ts';
import { remindUnread } from './receipts.ts';

const tags = ['Messages'];
const message = '/api/v1/threads/{id}/messages/{messageId}';
const pin = '/api/v1/threads/{id}/pins/{messageId}';
const settingsPath = '/api/v1/messaging/settings';

const routes = {
  get: createRoute({ method: 'get', path: message, tags, security: secured, summary: 'One message as the caller sees it (fills in link cards of live events)', request: { params: MessageParam }, responses: { 200: json(Message, 'The message'), ...errors(401, 404) } }),
  edit: createRoute({ method: 'patch', path: message, tags, security: secured, summary: "Edit one's own message (the earlier text is kept as a version)", request: { params: MessageParam, body: body(EditMessage) }, responses: { 200: json(Message, 'Edited'), ...errors(401, 403, 404, 409) } }),
  history: createRoute({ method: 'get', path: `${message}/history`, tags, security: secured, summary: 'Earlier versions of an edited message', request: { params: MessageParam }, responses: { 200: json(MessageHistory, 'Versions'), ...errors(401, 404, 409) } }),
  recall: createRoute({ method: 'post', path: `${message}/recall`, tags, security: secured, summary: 'Recall a message for everyone (its author within the workspace window; group owners and admins at any time)', request: { params: MessageParam }, responses: { 200: json(Message, 'Recalled'), ...errors(401, 403, 404, 409) } }),
  react: createRoute({ method: 'put', path: `${message}/reactions/{emoji}`, tags, security: secured, summary: 'React with an emoji', request: { params: ReactionParam }, responses: { 200: json(Reactions, 'Reactions now'), ...errors(401, 403, 404, 409) } }),
  unreact: createRoute({ method: 'delete', path: `${message}/reactions/{emoji}`, tags, security: secured, summary: 'Take back a reaction', request: { params: ReactionParam }, responses: { 200: json(Reactions, 'Reactions now'), ...errors(401, 403, 404, 409) } }),
  forward: createRoute({ method: 'post', path: `${message}/forward`, tags, security: secured, summary: 'Forward a message to other conversations', request: { params: MessageParam, body: body(ForwardMessage) }, responses: { 200: json(ForwardResult, 'The forwarded copies'), ...errors(401, 403, 404, 409, 422, 429) } }),
  remind: createRoute({ method: 'post', path: `${message}/remind`, tags, security: secured, summary: 'Remind everyone who has not read the message yet', request: { params: MessageParam }, responses: { 200: json(Reminded, 'Reminded'), ...errors(401, 403, 404, 429) } }),
  pins: createRoute({ method: 'get', path: '/api/v1/threads/{id}/pins', tags, security: secured, summary: 'Pinned messages, latest pin first', request: { params: ThreadParam }, responses: { 200: json(Pins, 'Pinned messages'), ...errors(401, 404) } }),
  pin: createRoute({ method: 'put', path: pin, tags, security: secured, summary: 'Pin a message', request: { params: MessageParam }, responses: { 204: { description: 'Pinned' }, ...errors(401, 403, 404, 409, 422) } }),
  unpin: createRoute({ method: 'delete', path: pin, tags, security: secured, summary: 'Unpin a message', request: { params: MessageParam }, responses: { 204: { description: 'Unpinned' }, ...errors(401, 403, 404) } }),
  settings: createRoute({ method: 'get', path: settingsPath, tags, security: secured, summary: 'Messaging rules of the workspace (recall window)', responses: { 200: json(MessagingSettings, 'Settings'), ...errors(401) } }),
  updateSettings: createRoute({ method: 'put', path: settingsPath, tags, security: secured, summary: 'Change the messaging rules (admin)', request: { body: body(MessagingSettings) }, responses: { 200: json(MessagingSettings, 'Settings'), ...errors(401, 403) } }),
};

export function messageRoutes() {
  const app = router();
  app.openapi(routes.get, async (c) => {
    const { id, messageId } = c.req.valid('param');
    return c.json(await getMessage(userCtx(c), id, messageId), 200);
  });
  app.openapi(routes.edit, async (c) => {
    const { id, messageId } = c.req.valid('param');
    return c.json(await editMessage(userCtx(c), id, messageId, c.req.valid('json').body), 200);
  });
  app.openapi(routes.history, async (c) => {
    const { id, messageId } = c.req.valid('param');
    return c.json(await messageHistory(userCtx(c), id, messageId), 200);
  });
  app.openapi(routes.recall, async (c) => {
    const { id, messageId } = c.req.valid('param');
    return c.json(await recallMessage(userCtx(c), id, messageId), 200);
  });
  app.openapi(routes.react, async (c) => {
    const { id, messageId, emoji } = c.req.valid('param');
    return c.json(await setReaction(userCtx(c), id, messageId, emoji, true), 200);
  });
  app.openapi(routes.unreact, async (c) => {
    const { id, messageId, emoji } = c.req.valid('param');
    return c.json(await setReaction(userCtx(c), id, messageId, emoji, false), 200);
  });
  app.openapi(routes.forward, async (c) => {
    const { id, messageId } = c.req.valid('param');
    return c.json(await forwardMessage(userCtx(c), id, messageId, c.req.valid('json')), 200);
  });
  app.openapi(routes.remind, async (c) => {
    const { id, messageId } = c.req.valid('param');
    return c.json(await remindUnread(userCtx(c), id, messageId), 200);
  });
  app.openapi(routes.pins, async (c) => c.json(await listPins(userCtx(c), c.req.valid('param').id), 200));
  app.openapi(routes.pin, async (c) => {
    const { id, messageId } = c.req.valid('param');
    await setPinned(userCtx(c), id, messageId, true);
    return c.body(null, 204);
  });
  app.openapi(routes.unpin, async (c) => {
    const { id, messageId } = c.req.valid('param');
    await setPinned(userCtx(c), id, messageId, false);
    return c.body(null, 204);
  });
  app.openapi(routes.settings, async (c) => c.json(await messagingSettings(userCtx(c)), 200));
  app.openapi(routes.updateSettings, async (c) => c.json(await updateMessagingSettings(userCtx(c), c.req.valid('json')), 200));
  return app;
}
