// The baseline of B1: a bare socket.io server that stores each message with one INSERT and emits it to
// the room; no authentication, no access check, no sequence, no outbox.
import { createServer } from 'node:http';
import postgres from 'postgres';
import { Server } from 'socket.io';

const [url, table, port] = process.argv.slice(2);
const sql = postgres(url!, { max: 10 });
await sql.unsafe(`create table ${table} (id bigserial primary key, room text not null, body text not null, created_at timestamptz not null default now())`);
const http = createServer();
const io = new Server(http, { serveClient: false });
io.on('connection', (socket) => {
  socket.on('join', async (room: string, ack: (r: unknown) => void) => {
    await socket.join(room);
    ack({ ok: true });
  });
  socket.on('send', async (message: { room: string; clientId: string; body: string }, ack: (r: unknown) => void) => {
    const [row] = await sql.unsafe(`insert into ${table} (room, body) values ($1, $2) returning id`, [message.room, message.body]);
    const stored = { id: row!.id, clientId: message.clientId, body: message.body };
    io.to(message.room).emit('message:new', stored);
    ack({ message: stored });
  });
});
http.listen(Number(port), '127.0.0.1', () => process.stdout.write('ready\n'));
process.on('SIGTERM', async () => {
  await sql.unsafe(`drop table if exists ${table}`);
  await sql.end();
  process.exit(0);
});
