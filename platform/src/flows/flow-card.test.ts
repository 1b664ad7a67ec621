import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, loginAs, startTestPlatform, type ApiClient, type TestPlatform } from '../testing/index.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';

let t: TestPlatform;
let admin: ApiClient;

const ticket = objectDef('ticket', 'title', [field('title', 'text', { required: true }), field('priority', 'integer'), field('link', 'text')]);
const edge = (source: string, target: string) => ({ id: `${source}-${target}`, source, target });
const cardFlow = (name: string, card: unknown) => ({
  name,
  label: label(name),
  trigger: { type: 'manual', object: 'ticket' },
  nodes: [
    { id: 'start', type: 'start', data: {} },
    { id: 'say', type: 'post_message', data: { text: 'Ticket {{record.title}} needs a look', card } },
    { id: 'end', type: 'end', data: {} },
  ],
  edges: [edge('start', 'say'), edge('say', 'end')],
});

const runOf = (id: string) => eventually(async () => (await admin.get(`/api/v1/flow-runs/${id}`)).body, (r) => ['done', 'needs_attention', 'cancelled'].includes(r.status));
type Message = { body: string; payload: { event: string; flow?: string; card?: unknown } | null };
const flowMessages = async (recordId: string) => {
  const thread = (await admin.get(`/api/v1/objects/ticket/records/${recordId}/thread`)).body;
  return ((await admin.get(`/api/v1/threads/${thread.id}/messages`)).body.items as Message[]).filter((m) => m.payload?.event === 'flow.message');
};

beforeAll(async () => {
  t = await startTestPlatform({ env: { TB_DEMO: '0' } });
  admin = await loginAs(t.app);
  const flows = [
    cardFlow('escalate', {
      title: 'Escalated: {{record.title}}',
      fields: [
        { label: 'Priority', value: 'P{{record.priority}}' },
        { label: 'Steps so far', value: '{{Object.keys(steps).length}}' },
      ],
      links: [
        { label: 'Open the ticket', url: '/records/ticket/{{record.id}}' },
        { label: 'Runbook', url: 'https://example.com/runbook' },
      ],
    }),
    cardFlow('follow_link', { title: 'Linked', links: [{ label: 'Follow', url: '{{record.link}}' }] }),
  ];
  const saved = await admin.request('PUT', '/api/v1/meta/draft', { body: { objects: [ticket], flows } });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
  expect((await admin.post('/api/v1/meta/publish')).status).toBe(200);
});
afterAll(() => t.close());

describe('a post message step with a card', () => {
  it('posts the card in the record\'s thread with every text filled in, and the message as its plain text', async () => {
    const record = (await admin.post('/api/v1/objects/ticket/records', { title: 'Printer on fire', priority: 1 })).body;
    const run = await runOf((await admin.post('/api/v1/flows/escalate/runs', { recordId: record.id })).body.id);
    expect(run.status, JSON.stringify(run)).toBe('done');
    const [message] = await flowMessages(record.id);
    expect(message!.body).toBe('Ticket Printer on fire needs a look');
    expect(message!.payload).toMatchObject({
      flow: 'escalate',
      card: {
        title: 'Escalated: Printer on fire',
        fields: [
          { label: 'Priority', value: 'P1' },
          { label: 'Steps so far', value: '1' },
        ],
        links: [
          { label: 'Open the ticket', url: `/records/ticket/${record.id}` },
          { label: 'Runbook', url: 'https://example.com/runbook' },
        ],
      },
    });
  });

  it('fails the step for good, posting nothing, when a link comes out as no web address or page of the app', async () => {
    for (const link of ['javascript:alert(document.cookie)', '//evil.example.com/x', 'data:text/html,hi']) {
      const record = (await admin.post('/api/v1/objects/ticket/records', { title: 'Sneaky', link })).body;
      const run = await runOf((await admin.post('/api/v1/flows/follow_link/runs', { recordId: record.id })).body.id);
      expect(run.status).toBe('needs_attention');
      expect(run.error).toMatchObject({ code: 'FLOW_CARD_LINK_INVALID', node: 'say' });
      expect(run.steps.at(-1)).toMatchObject({ nodeId: 'say', status: 'failed', attempts: 1 });
      expect(await flowMessages(record.id)).toEqual([]);
    }
  });

  it('posts a link given by the record when it is an https address', async () => {
    const record = (await admin.post('/api/v1/objects/ticket/records', { title: 'Fine', link: 'https://tickets.example.com/42' })).body;
    expect((await runOf((await admin.post('/api/v1/flows/follow_link/runs', { recordId: record.id })).body.id)).status).toBe('done');
    const [message] = await flowMessages(record.id);
    expect(message!.payload!.card).toEqual({ title: 'Linked', fields: [], links: [{ label: 'Follow', url: 'https://tickets.example.com/42' }] });
  });
});
