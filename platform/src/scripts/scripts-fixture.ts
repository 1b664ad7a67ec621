import { MetaDocument } from '../contracts/meta.ts';
import { field, objectDef, option } from '../testing/meta-builders.ts';

/** Two objects that together use every field type: `deal` has one field of each, `account` the rollups over deals. */
export const everyType = {
  objects: [
    objectDef('account', 'name', [
      field('name', 'text', { required: true }),
      field('deal_count', 'rollup', { source: 'deal', via: 'account', fn: 'count' }),
      field('deal_total', 'rollup', { source: 'deal', via: 'account', fn: 'sum', field: 'amount' }),
    ]),
    objectDef('deal', 'title', [
      field('title', 'text', { required: true, label: { en: 'Title', 'zh-CN': '标题' } }),
      field('notes', 'long_text'),
      field('body', 'rich_text'),
      field('quantity', 'integer', { min: 0 }),
      field('price', 'decimal', { precision: 10, scale: 2 }),
      field('amount', 'currency', { precision: 12, scale: 2 }),
      field('probability', 'percent', { precision: 5, scale: 4 }),
      field('won', 'boolean'),
      field('close_date', 'date'),
      field('closed_at', 'datetime'),
      field('stage', 'single_select', { required: true, options: [option('new'), option('won'), option('lost')] }),
      field('tags', 'multi_select', { options: [option('vip'), option('renewal')] }),
      field('contact_email', 'email'),
      field('contact_phone', 'phone'),
      field('website', 'url'),
      field('assignee', 'user'),
      field('team', 'department'),
      field('account', 'lookup', { target: 'account', onDelete: 'set_null' }),
      field('files', 'attachments'),
      field('number', 'auto_number', { prefix: 'D-', digits: 4 }),
      field('weighted', 'formula', { expression: 'ROUND(amount * probability, 2)', resultType: 'decimal' }),
      field('badge', 'formula', { expression: "UPPER(title) & ' x'", resultType: 'text' }),
      field('bulk', 'formula', { expression: 'quantity > 2', resultType: 'boolean' }),
      field('follow_up', 'formula', { expression: 'close_date + 7', resultType: 'date' }),
    ]),
  ],
};

export const everyTypeObjects = () => MetaDocument.parse(everyType).objects;

/** A script that uses every field of `deal` as its type allows. */
export const correctScript = `export default async function () {
  const deal = await records.get('deal', '0195f0c2-0000-7000-8000-000000000000');
  if (!deal) return null;
  const title: string = deal.title.toUpperCase();
  const stage: 'new' | 'won' | 'lost' = deal.stage;
  const tags: ('vip' | 'renewal')[] = deal.tags ?? [];
  const quantity: number = (deal.quantity ?? 0) + 1;
  const total = Number(deal.amount?.amount ?? '0') * Number(deal.probability ?? '0');
  const currency: string | undefined = deal.amount?.currency;
  const names = (deal.files ?? []).map((f) => f.name + f.size);
  const won: boolean = deal.won === true && deal.bulk !== false;
  const dates = [deal.close_date, deal.closed_at, deal.follow_up, deal.created_at];
  const ids = [deal.assignee, deal.team, deal.account, deal.owner, deal.id];
  const text = [deal.notes, deal.body, deal.contact_email, deal.contact_phone, deal.website, deal.number, deal.badge, deal.weighted, deal.price];
  const account = deal.account ? await records.get('account', deal.account) : null;
  const count: number = account?.deal_count ?? 0;
  const sum: string | null = account?.deal_total ?? null;
  const created = await records.create('deal', { title: 'New', stage: 'new', amount: { amount: 12.5 }, price: 3, tags: ['vip'] });
  await records.update('deal', created.id, { stage: 'won', version: created.version });
  const open = await records.find('deal', { filter: { and: [{ field: 'stage', op: 'eq', value: 'new' }] }, sort: ['-amount', 'title'], limit: 10 });
  if (ctx.object === 'deal') log.info(ctx.record.title, ctx.trigger.changed.includes('stage'));
  const res = await http.fetch('https://example.com', { method: 'POST', body: JSON.stringify({ title }) });
  await thread.post(\`\${title} \${stage} \${res.status}\`);
  console.log(await env.get('API_KEY'), tags, quantity, total, currency, names, won, dates, ids, text, count, sum, open.length);
  return { title, stage };
}
`;
