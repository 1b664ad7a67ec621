import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LanedLock, ordinarily, urgently } from './lanes.ts';
import { openDatabase, type Database } from './open-database.ts';

describe('the laned lock', () => {
  it('hands the connection to urgent waiters first, each lane in arrival order, and is free once nobody waits', async () => {
    const lock = new LanedLock();
    const order: string[] = [];
    await lock.acquire();
    const waiter = (name: string) => lock.acquire().then(() => order.push(name));
    const waiting = [waiter('report 1'), waiter('report 2'), urgently(() => waiter('chat 1')), waiter('report 3'), urgently(() => ordinarily(() => waiter('report 4'))), urgently(() => waiter('chat 2'))];
    for (let i = 0; i < waiting.length; i++) {
      lock.release();
      await new Promise((r) => setTimeout(r, 1));
    }
    await Promise.all(waiting);
    expect(order).toEqual(['chat 1', 'chat 2', 'report 1', 'report 2', 'report 3', 'report 4']);
    lock.release();
    await lock.acquire();
  });
});

describe('the embedded database under a queue of slow queries', () => {
  let db: Database;
  beforeAll(async () => {
    db = await openDatabase({ kind: 'pglite-memory' });
  });
  afterAll(() => db.close());

  it('runs an urgent statement after the one running now, before the ordinary ones queued before it', async () => {
    const done: string[] = [];
    const query = (name: string, seconds: number) => sql`select pg_sleep(${seconds})`.execute(db.kysely).then(() => done.push(name));
    const slow = [query('running', 0.2), query('queued 1', 0.05), query('queued 2', 0.05)];
    await new Promise((r) => setTimeout(r, 50));
    await urgently(() => query('urgent', 0));
    expect(done).toEqual(['running', 'urgent']);
    await Promise.all(slow);
    expect(done).toEqual(['running', 'urgent', 'queued 1', 'queued 2']);
  });

  it('keeps a transaction whole: an urgent statement waits for its commit', async () => {
    const done: string[] = [];
    const transaction = db.kysely.transaction().execute(async (trx) => {
      await sql`select pg_sleep(0.05)`.execute(trx);
      await new Promise((r) => setTimeout(r, 50));
      await sql`select 1`.execute(trx);
      done.push('transaction');
    });
    await new Promise((r) => setTimeout(r, 20));
    await urgently(() => sql`select 1`.execute(db.kysely));
    done.push('urgent');
    await transaction;
    expect(done).toEqual(['transaction', 'urgent']);
  });
});
