import type { SearchHit } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { destination, groupHits, segments } from './search-results.ts';

const hit = (over: Partial<SearchHit>): SearchHit => ({ kind: 'message', threadId: null, seq: null, messageId: null, object: null, recordId: null, fileId: null, snippet: '', highlights: [], createdAt: '2026-01-01T00:00:00.000Z', ...over });

describe('segments', () => {
  it('cuts the snippet at its highlights', () => {
    expect(segments('…请跟进华东区商机，商机超时', [{ start: 6, end: 8 }, { start: 10, end: 12 }])).toEqual([
      { text: '…请跟进华东', match: false },
      { text: '区商', match: true },
      { text: '机，', match: false },
      { text: '商机', match: true },
      { text: '超时', match: false },
    ]);
  });

  it('ignores highlights out of range, overlapping or empty', () => {
    expect(segments('abcdef', [{ start: 1, end: 3 }, { start: 2, end: 4 }, { start: 4, end: 4 }, { start: 5, end: 9 }])).toEqual([
      { text: 'a', match: false },
      { text: 'bc', match: true },
      { text: 'def', match: false },
    ]);
    expect(segments('', [])).toEqual([]);
  });
});

describe('destination', () => {
  it('opens records and record-thread messages on the record page, other messages in the inbox, files as downloads', () => {
    expect(destination(hit({ kind: 'record', object: 'deal', recordId: 'r1' }))).toEqual({ route: '/o/deal/r1' });
    expect(destination(hit({ kind: 'message', threadId: 't1', object: 'deal', recordId: 'r1' }))).toEqual({ route: '/o/deal/r1' });
    expect(destination(hit({ kind: 'message', threadId: 't2' }))).toEqual({ route: '/inbox/t2' });
    expect(destination(hit({ kind: 'file', fileId: 'f1' }))).toEqual({ href: '/api/v1/files/f1' });
    expect(destination(hit({ kind: 'file' }))).toBeNull();
  });

  it('opens a message hit at the message itself', () => {
    expect(destination(hit({ kind: 'message', threadId: 't1', seq: 1234, object: 'deal', recordId: 'r1' }))).toEqual({ route: '/o/deal/r1?message=1234' });
    expect(destination(hit({ kind: 'message', threadId: 't2', seq: 7 }))).toEqual({ route: '/inbox/t2?message=7' });
    expect(destination(hit({ kind: 'record', object: 'deal', recordId: 'r1', seq: 3 }))).toEqual({ route: '/o/deal/r1' });
  });
});

describe('groupHits', () => {
  it('puts records first, then messages, then files, keeping each group in order and leaving out empty groups', () => {
    const hits = [hit({ kind: 'message', snippet: 'm1' }), hit({ kind: 'record', snippet: 'r1' }), hit({ kind: 'message', snippet: 'm2' })];
    expect(groupHits(hits).map((g) => [g.kind, g.hits.map((h) => h.snippet)])).toEqual([
      ['record', ['r1']],
      ['message', ['m1', 'm2']],
    ]);
  });
});
