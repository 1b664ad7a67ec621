import { describe, expect, it } from 'vitest';
import { parseRecent, withVisit, type RecentRecord } from './recent-records.ts';

const visit = (id: string, at = 1): RecentRecord => ({ object: 'deal', id, title: `Deal ${id}`, objectLabel: 'Deals', at });

describe('recent records', () => {
  it('puts the latest visit first, once, and keeps the last ten', () => {
    let list: RecentRecord[] = [];
    for (let i = 0; i < 12; i++) list = withVisit(list, visit(String(i)));
    list = withVisit(list, visit('5', 99));
    expect(list.map((r) => r.id)).toEqual(['5', '11', '10', '9', '8', '7', '6', '4', '3', '2']);
    expect(list[0]!.at).toBe(99);
  });

  it('reads back what it stored, and nothing from anything else', () => {
    expect(parseRecent(JSON.stringify([visit('a')]))).toEqual([visit('a')]);
    for (const text of [null, '', 'not json', '{"a":1}', JSON.stringify([{ object: 'deal', id: 1 }])]) expect(parseRecent(text)).toEqual([]);
  });
});
