import { sql } from 'kysely';
import { io as connect, type Socket } from 'socket.io-client';
import { afterAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../db/open-database.ts';
import { field, objectDef } from '../testing/meta-builders.ts';
import { freePort } from '../testing/ports.ts';
import { callServer, deployment, killAll, startServer, stop } from '../testing/processes.ts';

/**
 * The reliability promise of docs/threads.md ("Ordering and resending"), held against a real crash:
 * 10,000 messages from 200 socket clients while the server is killed with SIGKILL and restarted mid-run.
 * Clients reconnect and resend by clientId; afterwards nothing is lost, nothing is stored twice, and in
 * every thread the seqs run 1..n without gaps and each sender's messages come in the order it sent them.
 */

const MESSAGES = 10_000;
const CLIENTS = 200;
/** Five clients per person: phones, laptops and browser tabs of the same user, each with its own socket. */
const USERS = 40;
const GROUPS = 8;
const RECORDS = 2;
const THREADS = GROUPS + RECORDS;
const PER_CLIENT = MESSAGES / CLIENTS;
/** The kill lands once about a third of the messages are acknowledged, with every client mid-send. */
const KILL_AT = Math.ceil(MESSAGES / 3);
/** Longer than any answer of a healthy server under this load: a timeout means the answer was lost. */
const ACK_TIMEOUT_MS = 15_000;
/** The whole run must finish well within this, or the test fails (rather than hanging on a stuck client). */
const RUN_DEADLINE_MS = 240_000;

const PASSWORD = 'crash-password-1';
const USER_PASSWORD = 'chat-crash-password-1';
const d = deployment();
d.env.TB_ADMIN_PASSWORD = PASSWORD;
// Five devices of one person sending flat out is a load pattern, not a person: the per-person message
// limit (a separate concern with its own tests) is lifted so that it does not pace this run. The clients
// still honour RATE_LIMITED as a phone app would, should it come.
d.env.TB_MESSAGES_PER_SECOND = '100000';
d.env.TB_MESSAGES_BURST = '100000';
afterAll(async () => {
  await killAll();
  await d.cleanup();
});

/**
 * Who writes where. Person u posts in her "home" thread u % THREADS and in the next one, alternately, so
 * every thread has eight people (forty sockets) writing into it and every client interleaves two threads.
 * Threads 0..7 are groups, 8 and 9 the threads of two records.
 */
const homeOf = (user: number) => user % THREADS;
const threadsOf = (user: number) => [homeOf(user), (homeOf(user) + 1) % THREADS];
const writersOf = (thread: number) => Array.from({ length: USERS }, (_, u) => u).filter((u) => threadsOf(u).includes(thread));

type Planned = { client: number; user: number; n: number; thread: number; clientId: string; body: string };
/** An answer as the client got it; `first` when the process that was killed gave it. */
type Acked = { id: string; seq: number; created: boolean; first: boolean };
type Stored = { id: string; seq: number; kind: 'user' | 'system'; authorId: string | null; clientId: string | null; body: string };

/** Client c is a device of person c % USERS and sends its share, one message at a time, in the order n. */
function planOf(client: number): Planned[] {
  const user = client % USERS;
  return Array.from({ length: PER_CLIENT }, (_, n) => {
    const clientId = `c${String(client).padStart(3, '0')}-n${String(n).padStart(2, '0')}`;
    return { client, user, n, thread: threadsOf(user)[n % 2]!, clientId, body: `client ${client} message ${n}` };
  });
}

/** What the clients saw, summed over all of them: the counts the report quotes. */
const tally = {
  sent: 0,
  attempts: 0,
  resends: 0,
  acked: 0,
  ackedAsStored: 0,
  lostAnswers: 0,
  errorAnswers: {} as Record<string, number>,
  disconnects: 0,
  reconnects: 0,
  replays: 0,
  replaysNotDeduplicated: [] as string[],
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Answers worth sending the same message again for: too fast, or a server failing while it goes down. */
const RETRYABLE = new Set(['RATE_LIMITED', 'INTERNAL', 'NOT_READY']);
type Answer = { message: Stored; created: boolean };
type ErrorAnswer = { error: { code: string; message: string; details?: { retryAfterSeconds?: number } } };

/**
 * A socket.io client as a phone app would be written: socket.io's own reconnection (to the same address,
 * short back-off), one message in flight, and the message kept until its ack arrives. A lost answer —
 * an ack timeout, a disconnect (socket.io fails pending acks then), or an error answer from a server that
 * is going down — leads to the same message being sent again with the same clientId once connected.
 *
 * After being cut off it also sends once more the last message it had an answer for, as an app does that
 * was killed before it saved that answer: whether or not a crash lost an answer, the server is then asked
 * for a message it already stored, and must answer with that message (`created: false`), not a copy.
 */
function chatClient(url: string, token: string, halt: AbortSignal, onAck: (m: Planned, ack: Omit<Acked, 'first'>) => void) {
  const socket: Socket = connect(url, { auth: { token }, transports: ['websocket'], forceNew: true, reconnectionDelay: 100, reconnectionDelayMax: 500 });
  type Answered = { m: Planned; threadId: string; message: Stored };
  let lastAnswered: Answered | null = null;
  let replay: Answered | null = null;
  // Cut off by the server or the network; the test's own disconnect at the end does not count.
  socket.on('disconnect', (reason) => {
    if (reason === 'io client disconnect') return;
    tally.disconnects++;
    replay = lastAnswered;
  });
  socket.io.on('reconnect', () => tally.reconnects++);
  // A connection refused by the server's middleware (not by the network) is not retried by socket.io itself.
  socket.on('connect_error', () => {
    if (!socket.active) setTimeout(() => socket.connect(), 200);
  });

  const connected = (deadline: number) =>
    socket.connected
      ? Promise.resolve()
      : new Promise<void>((resolve, reject) => {
          const fail = (error: Error) => {
            socket.off('connect', done);
            reject(error);
          };
          const timer = setTimeout(() => fail(new Error('not connected before the deadline')), Math.max(0, deadline - Date.now()));
          const stopped = () => fail(halt.reason as Error);
          const done = () => {
            clearTimeout(timer);
            halt.removeEventListener('abort', stopped);
            resolve();
          };
          socket.once('connect', done);
          halt.addEventListener('abort', stopped, { once: true });
        });

  /** Sends one message until the server answers it, the same clientId every time. */
  async function sendUntilAnswered(m: Planned, threadId: string, deadline: number): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      halt.throwIfAborted();
      if (Date.now() > deadline) throw new Error(`${m.clientId} not acknowledged after ${attempt} attempts`);
      if (attempt > 0) tally.resends++;
      await connected(deadline);
      tally.attempts++;
      let answer: Answer | ErrorAnswer;
      try {
        answer = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck('message:send', { threadId, clientId: m.clientId, body: m.body });
      } catch {
        tally.lostAnswers++;
        continue;
      }
      if ('error' in answer) {
        const { code, message, details } = answer.error;
        tally.errorAnswers[code] = (tally.errorAnswers[code] ?? 0) + 1;
        // Anything else (a refused thread, a bad payload) is a bug here: fail now rather than at the deadline.
        if (!RETRYABLE.has(code)) throw new Error(`${m.clientId} refused: ${code} ${message}`);
        await sleep(details?.retryAfterSeconds ? details.retryAfterSeconds * 1000 : 100);
        continue;
      }
      return answer;
    }
  }

  async function deliver(m: Planned, threadId: string, deadline: number): Promise<void> {
    tally.sent++;
    const { message, created } = await sendUntilAnswered(m, threadId, deadline);
    tally.acked++;
    if (!created) tally.ackedAsStored++;
    lastAnswered = { m, threadId, message };
    onAck(m, { id: message.id, seq: message.seq, created });
  }

  async function replayLastAnswered(deadline: number): Promise<void> {
    const { m, threadId, message } = replay!;
    replay = null;
    tally.replays++;
    const again = await sendUntilAnswered(m, threadId, deadline);
    if (again.created || again.message.id !== message.id || again.message.seq !== message.seq) tally.replaysNotDeduplicated.push(m.clientId);
  }

  return {
    socket,
    async run(plan: Planned[], threadIds: string[], deadline: number) {
      for (const m of plan) {
        if (replay) await replayLastAnswered(deadline);
        await deliver(m, threadIds[m.thread]!, deadline);
      }
    },
  };
}

/**
 * People's messages in the database the killed process left behind, read by this test process itself
 * while no server runs: on PGlite this opens the data folder as it was at the kill.
 */
async function storedAfterKill(): Promise<{ messages: Map<string, { id: string; seq: number }>; pending: Record<string, number> }> {
  // On PostgreSQL a COMMIT the server had sent still completes after the client died: give it a moment.
  if (d.env.DATABASE_URL) await sleep(300);
  const db = await openDatabase(d.env.DATABASE_URL ? { kind: 'postgres', url: d.env.DATABASE_URL, max: 1 } : { kind: 'pglite', dataDir: d.env.TB_DATA_DIR!, thread: 'main' });
  try {
    const rows = await sql<{ client_id: string; id: string; seq: string | number }>`
      select client_id, id, seq from ${sql.table(`${d.env.TB_SCHEMA}_ws_default.messages`)} where kind = 'user'`.execute(db.kysely);
    // Not asserted, reported: how far event delivery (realtime, search) was behind the writes at the kill.
    const pending = await sql<{ consumer: string; n: string | number }>`
      select consumer, count(*) as n from ${sql.table(`${d.env.TB_SCHEMA}_ws_default.outbox_deliveries`)} where status = 'pending' group by consumer`.execute(db.kysely);
    return {
      messages: new Map(rows.rows.map((r) => [r.client_id, { id: r.id, seq: Number(r.seq) }])),
      pending: Object.fromEntries(pending.rows.map((r) => [r.consumer, Number(r.n)])),
    };
  } finally {
    await db.close();
  }
}

async function ok(call: Promise<{ status: number; body: any }>, status = 200) {
  const res = await call;
  expect(res.status, JSON.stringify(res.body)).toBe(status);
  return res.body;
}

/** Every message of a thread as the admin sees it, oldest first, catching up page by page with `after=`. */
async function allMessages(url: string, token: string, threadId: string): Promise<Stored[]> {
  const all: Stored[] = [];
  for (let after = 0; ; ) {
    const page = await ok(callServer(url, token, 'GET', `/api/v1/threads/${threadId}/messages?after=${after}&limit=200`));
    all.push(...page.items);
    if (!page.hasMore) return all;
    after = page.items.at(-1).seq;
  }
}

describe('chat through a crash', () => {
  it('loses no message and stores none twice when the server is killed and restarted under 200 sending clients', { timeout: 300_000 }, async () => {
    // The restarted process must come back at the address the clients know, as behind a load balancer:
    // a fixed port instead of deployment()'s port 0.
    d.env.PORT = String(await freePort());
    let server = await startServer(d.env);
    const url = server.url;
    const errors: string[] = [];
    const collectErrors = () => server.child.stderr!.on('data', (chunk) => errors.push(String(chunk)));
    collectErrors();

    // --- Set-up through the HTTP API of the running process: people, two records, eight groups.
    const admin = (await ok(callServer(url, null, 'POST', '/api/v1/auth/login', { login: 'admin', password: PASSWORD }))).token as string;
    await ok(callServer(url, admin, 'PUT', '/api/v1/meta/draft', { objects: [objectDef('ticket', 'title', [field('title', 'text', { required: true })])] }));
    await ok(callServer(url, admin, 'POST', '/api/v1/meta/publish'));
    const userIds: string[] = [];
    for (let u = 0; u < USERS; u++) {
      userIds.push((await ok(callServer(url, admin, 'POST', '/api/v1/org/users', { login: `chat${u}`, displayName: `Chat ${u}`, password: USER_PASSWORD }), 201)).id);
    }
    const tokens = await Promise.all(userIds.map(async (_, u) => (await ok(callServer(url, null, 'POST', '/api/v1/auth/login', { login: `chat${u}`, password: USER_PASSWORD }))).token as string));
    const threadIds: string[] = [];
    for (let t = 0; t < GROUPS; t++) {
      const memberIds = writersOf(t).map((u) => userIds[u]!);
      threadIds.push((await ok(callServer(url, admin, 'POST', '/api/v1/threads', { kind: 'group', title: `crash group ${t}`, memberIds }), 201)).id);
    }
    // Record threads are read by whoever may read the record: the built-in member role reads every record.
    for (let r = 0; r < RECORDS; r++) {
      const record = await ok(callServer(url, admin, 'POST', '/api/v1/objects/ticket/records', { title: `crash ticket ${r}` }), 201);
      threadIds.push((await ok(callServer(url, admin, 'GET', `/api/v1/objects/ticket/records/${record.id}/thread`))).id);
    }

    // --- The run: 200 clients send their 50 messages each; at a third acknowledged, the server is killed.
    // One client failing, or the restart, stops every client: the test fails at once and leaves nothing running.
    const halt = new AbortController();
    const acks = new Map<string, Acked>();
    let crash: Promise<void> | null = null;
    let firstServer = true;
    let atKill = new Map<string, { id: string; seq: number }>();
    let pendingAtKill: Record<string, number> = {};
    const timeline = { startMs: 0, killMs: 0, readMs: 0, restartedMs: 0, endMs: 0, ackedAtKill: 0, ackedAfterRestart: 0 };
    const kill = async () => {
      await stop(server.child, 'SIGKILL');
      timeline.killMs = Date.now();
      timeline.ackedAtKill = tally.acked;
      ({ messages: atKill, pending: pendingAtKill } = await storedAfterKill());
      timeline.readMs = Date.now();
      // Same environment: the same PGlite data folder, or the same schemas on PostgreSQL, and the same port.
      firstServer = false;
      server = await startServer(d.env);
      collectErrors();
      timeline.restartedMs = Date.now();
    };
    const onAck = (m: Planned, ack: Omit<Acked, 'first'>) => {
      acks.set(m.clientId, { ...ack, first: firstServer });
      if (timeline.restartedMs) timeline.ackedAfterRestart++;
      if (tally.acked === KILL_AT) {
        crash = kill();
        crash.catch((error: Error) => halt.abort(error));
      }
    };
    const plans = Array.from({ length: CLIENTS }, (_, c) => planOf(c));
    const clients = plans.map((plan) => chatClient(url, tokens[plan[0]!.user]!, halt.signal, onAck));
    try {
      timeline.startMs = Date.now();
      const deadline = timeline.startMs + RUN_DEADLINE_MS;
      const runs = clients.map((client, c) =>
        client.run(plans[c]!, threadIds, deadline).catch((error: Error) => {
          halt.abort(error);
          throw error;
        }),
      );
      await Promise.all(runs);
      timeline.endMs = Date.now();
    } finally {
      for (const client of clients) client.socket.disconnect();
    }
    expect(crash, 'the server was killed mid-run').not.toBeNull();
    await crash;

    // --- What is stored, read back over HTTP from the restarted process.
    const expected = new Map(plans.flat().map((m) => [m.clientId, m]));
    const stored = new Map<string, { thread: number; message: Stored }[]>();
    let systemMessages = 0;
    let unexpected = 0;
    for (const [t, threadId] of threadIds.entries()) {
      const messages = await allMessages(url, admin, threadId);
      // Seqs are the thread's own counter: 1..lastSeq, every one present (people's and system messages alike).
      expect(messages.map((m) => m.seq), `seqs of thread ${t}`).toEqual(Array.from({ length: messages.length }, (_, i) => i + 1));
      expect((await ok(callServer(url, admin, 'GET', `/api/v1/threads/${threadId}`))).lastSeq, `lastSeq of thread ${t}`).toBe(messages.length);
      for (const message of messages) {
        if (message.kind === 'system') {
          systemMessages++;
          continue;
        }
        if (!message.clientId || !expected.has(message.clientId)) unexpected++;
        else stored.set(message.clientId, [...(stored.get(message.clientId) ?? []), { thread: t, message }]);
      }
    }
    const lost = [...expected.keys()].filter((id) => !stored.has(id));
    const duplicated = [...stored.values()].filter((copies) => copies.length > 1);
    const storedCount = [...stored.values()].reduce((n, copies) => n + copies.length, 0);
    const seqMismatches = [...acks].filter(([clientId, ack]) => {
      const copy = stored.get(clientId)?.[0]?.message;
      return !copy || copy.seq !== ack.seq || copy.id !== ack.id;
    });
    const misplaced = [...stored].filter(([clientId, [copy]]) => {
      const m = expected.get(clientId)!;
      return copy!.thread !== m.thread || copy!.message.authorId !== userIds[m.user] || copy!.message.body !== m.body;
    });
    // Each client had one message in flight at a time, so in each thread its messages carry rising seqs in the order it sent them.
    const outOfOrder = plans.filter((plan) =>
      [0, 1].some((parity) => {
        const seqs = plan.filter((m) => m.n % 2 === parity).map((m) => stored.get(m.clientId)?.[0]?.message.seq ?? -1);
        return seqs.some((seq, i) => i > 0 && seq <= seqs[i - 1]!);
      }),
    );

    // The kill itself: every answer the killed process gave survived it, and every message it had committed
    // without its answer reaching the client was resent and answered as the one already stored.
    const answeredByFirst = [...acks].filter(([, ack]) => ack.first);
    const acknowledgedButGone = answeredByFirst.filter(([clientId, ack]) => atKill.get(clientId)?.id !== ack.id || atKill.get(clientId)?.seq !== ack.seq);
    const unanswered = [...atKill].filter(([clientId]) => !acks.get(clientId)?.first);
    const unansweredNotDeduplicated = unanswered.filter(([clientId, copy]) => {
      const ack = acks.get(clientId);
      return !ack || ack.created || ack.id !== copy.id || ack.seq !== copy.seq;
    });

    const seconds = (ms: number) => (ms / 1000).toFixed(1);
    const perSecond = (n: number, ms: number) => Math.round(n / (ms / 1000));
    console.log(
      [
        `chat crash (${process.env.DATABASE_URL ? 'PostgreSQL' : 'PGlite'}): ${CLIENTS} clients of ${USERS} people, ${THREADS} threads (${GROUPS} groups, ${RECORDS} record threads)`,
        `  sent ${tally.sent}, acked ${tally.acked}, stored ${storedCount}, duplicates ${duplicated.length}, lost ${lost.length}, unexpected ${unexpected}, system messages ${systemMessages}`,
        `  attempts ${tally.attempts}, resends ${tally.resends} (answers lost ${tally.lostAnswers}, error answers ${JSON.stringify(tally.errorAnswers)}), acked as already stored ${tally.ackedAsStored}`,
        `  acked seq ≠ stored seq ${seqMismatches.length}, misplaced ${misplaced.length}, clients out of order ${outOfOrder.length}`,
        `  disconnects ${tally.disconnects}, reconnects ${tally.reconnects}; answered messages sent again after reconnecting ${tally.replays}, of which stored twice or answered differently ${tally.replaysNotDeduplicated.length}`,
        `  at the kill: ${atKill.size} stored, ${answeredByFirst.length} answered by the killed process, ${unanswered.length} committed without an answer; acknowledged but gone ${acknowledgedButGone.length}; event deliveries pending ${JSON.stringify(pendingAtKill)}`,
        `  killed at ${timeline.ackedAtKill} acked after ${seconds(timeline.killMs - timeline.startMs)} s; read back in ${seconds(timeline.readMs - timeline.killMs)} s, restarted in ${seconds(timeline.restartedMs - timeline.readMs)} s; ${timeline.ackedAfterRestart} acked after the restart`,
        `  run ${seconds(timeline.endMs - timeline.startMs)} s: ${perSecond(timeline.ackedAtKill, timeline.killMs - timeline.startMs)} acks/s before the kill, ${perSecond(timeline.ackedAfterRestart, timeline.endMs - timeline.restartedMs)} after the restart`,
      ].join('\n'),
    );
    if (errors.length) console.log(`server errors:\n${errors.join('').slice(-4000)}`);

    expect(tally.acked).toBe(MESSAGES);
    expect(storedCount).toBe(MESSAGES);
    // Failures name the clientIds (the first 20; the counts are printed above).
    const ids = (list: string[]) => list.slice(0, 20);
    expect(ids(lost), 'lost').toEqual([]);
    expect(ids(duplicated.map(([copy]) => copy!.message.clientId!)), 'stored twice').toEqual([]);
    expect(unexpected, 'messages nobody sent').toBe(0);
    expect(ids(seqMismatches.map(([clientId]) => clientId)), 'acked seq is not the stored seq').toEqual([]);
    expect(ids(misplaced.map(([clientId]) => clientId)), 'stored in another thread, author or body').toEqual([]);
    expect(outOfOrder.map((plan) => plan[0]!.client), 'clients whose messages are out of order').toEqual([]);
    expect(ids(acknowledgedButGone.map(([clientId]) => clientId)), 'acknowledged before the kill, gone after it').toEqual([]);
    expect(ids(unansweredNotDeduplicated.map(([clientId]) => clientId)), 'committed without an answer, then stored again').toEqual([]);
    expect(ids(tally.replaysNotDeduplicated), 'answered, sent again, not answered as the stored one').toEqual([]);
    // The kill hit a run in progress: sends were cut off and finished against the restarted process.
    expect(timeline.ackedAtKill).toBeGreaterThanOrEqual(KILL_AT);
    expect(timeline.ackedAtKill).toBeLessThan(MESSAGES);
    expect(timeline.ackedAfterRestart).toBeGreaterThan(0);
    expect(tally.resends).toBeGreaterThan(0);
    expect(tally.disconnects).toBeGreaterThanOrEqual(CLIENTS);
    expect(tally.replays).toBeGreaterThan(0);
    await stop(server.child);
  });
});
