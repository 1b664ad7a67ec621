import { sql } from 'kysely';
import type { Migration } from '../migrate.ts';
import { run, table } from './statements.ts';

/**
 * Claiming outbox deliveries per aggregate (015). A delivery names its event's aggregate, and a lease
 * per consumer and aggregate lets one process take a run of an aggregate's events at once, in order,
 * instead of one event per claim.
 */
export const outboxLeaseMigrations: readonly Migration[] = [
  {
    name: '015_outbox_leases',
    up: (db, s) =>
      run(db, [
        sql`alter table ${table(s, 'outbox_deliveries')} add column aggregate_type text, add column aggregate_id text`,
        sql`update ${table(s, 'outbox_deliveries')} d set aggregate_type = e.aggregate_type, aggregate_id = e.aggregate_id
          from ${table(s, 'outbox_events')} e where e.id = d.event_id`,
        sql`alter table ${table(s, 'outbox_deliveries')} alter column aggregate_type set not null, alter column aggregate_id set not null`,
        sql`create index outbox_deliveries_pending on ${table(s, 'outbox_deliveries')} (consumer, aggregate_type, aggregate_id, event_id) where status = 'pending'`,
        sql`create table ${table(s, 'outbox_leases')} (
          consumer text not null,
          aggregate_type text not null,
          aggregate_id text not null,
          leased_until timestamptz not null default '-infinity',
          primary key (consumer, aggregate_type, aggregate_id)
        )`,
        sql`insert into ${table(s, 'outbox_leases')} (consumer, aggregate_type, aggregate_id)
          select distinct consumer, aggregate_type, aggregate_id from ${table(s, 'outbox_deliveries')} where status = 'pending'`,
      ]),
  },
];
