import type { ObjectDefinition } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { relationsTo } from './relations.ts';

const label = (text: string) => ({ 'zh-CN': text, en: text });
const object = (name: string, fields: Record<string, unknown>[], archived = false) =>
  ({ name, label: label(name), pluralLabel: label(name), recordName: 'name', archived, fields: [{ name: 'name', type: 'text', label: label('Name') }, ...fields] }) as unknown as ObjectDefinition;
const lookup = (name: string, target: string, archived = false) => ({ name, type: 'lookup', label: label(name), target, onDelete: 'set_null', archived });

describe('relationsTo', () => {
  it('finds every live lookup to the object, one relation per field, itself included', () => {
    const objects = [
      object('account', [lookup('parent', 'account')]),
      object('deal', [lookup('account', 'account'), lookup('partner', 'account'), lookup('owner_deal', 'deal')]),
      object('ticket', [lookup('account', 'account', true)]),
      object('old', [lookup('account', 'account')], true),
    ];
    expect(relationsTo(objects, 'account').map((r) => `${r.object.name}.${r.via.name}`)).toEqual(['account.parent', 'deal.account', 'deal.partner']);
  });

  it('finds none when nothing points at the object', () => {
    expect(relationsTo([object('note', [])], 'account')).toEqual([]);
  });
});
