import type { Message, Thread } from '@threadbase/platform/contracts';
import { createPinia, setActivePinia } from 'pinia';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { effectScope } from 'vue';
import { threadsApi } from '../api/threads-api.ts';
import { playChime } from './chime.ts';
import { useDesktopNotify } from './use-desktop-notify.ts';

type Handler = (payload: unknown) => void;
const h = vi.hoisted(() => ({
  handlers: new Map<string, Handler>(),
  settings: { desktop: true, sound: true },
  route: { name: 'directory', params: {} as Record<string, string> },
  push: (() => {}) as (to: unknown) => void,
}));
vi.mock('../api/realtime.ts', () => ({
  realtimeSocket: () => ({ on: (event: string, handler: Handler) => h.handlers.set(event, handler), off: (event: string) => h.handlers.delete(event) }),
}));
vi.mock('../api/threads-api.ts', () => ({ threadsApi: { get: vi.fn() } }));
vi.mock('../stores/session.ts', () => ({ useSessionStore: () => ({ user: { id: 'alice' } }) }));
vi.mock('./notify-settings.ts', () => ({ useNotifySettingsStore: () => ({ settings: h.settings }) }));
vi.mock('./permission.ts', () => ({ desktopPermission: () => 'granted' }));
vi.mock('./chime.ts', () => ({ playChime: vi.fn(), unlockChime: vi.fn() }));
vi.mock('../components/records/people-store.ts', () => ({ usePeopleStore: () => ({ ensure: async () => {}, nameOf: (id: string) => (id === 'bruce' ? 'Bruce Lee' : '') }) }));
vi.mock('../i18n/i18n.ts', () => ({ t: (key: string, params?: Record<string, string>) => (key === 'notify.by' ? `${params!.name}: ${params!.text}` : key) }));
vi.mock('vue-router', () => ({
  useRouter: () => ({
    currentRoute: {
      get value() {
        return h.route;
      },
    },
    push: (to: unknown) => h.push(to),
  }),
}));

const get = vi.mocked(threadsApi.get);
const chime = vi.mocked(playChime);
const shown: { title: string; body: string; tag: string; instance: { onclick: (() => void) | null } }[] = [];

const message = (seq: number, change: Partial<Message> = {}): Message =>
  ({ id: `m${seq}`, threadId: 'g1', seq, kind: 'user', authorId: 'bruce', body: `hello ${seq}`, mentions: [], attachments: [], recalled: false, ...change }) as Message;
const group = (change: Partial<Thread> = {}): Thread => ({ id: 'g1', kind: 'group', title: 'Sales', muted: false, lastMessage: message(1), members: [], ...change }) as unknown as Thread;
const fire = (event: string, payload: unknown) => h.handlers.get(event)!(payload);

let scope: ReturnType<typeof effectScope>;

beforeEach(() => {
  setActivePinia(createPinia());
  shown.length = 0;
  get.mockReset();
  chime.mockReset();
  h.handlers.clear();
  h.settings = { desktop: true, sound: true };
  h.route = { name: 'directory', params: {} };
  vi.stubGlobal('window', Object.assign(new EventTarget(), { focus: vi.fn() }));
  vi.stubGlobal('document', { visibilityState: 'visible' });
  vi.stubGlobal(
    'Notification',
    class {
      onclick: (() => void) | null = null;
      constructor(title: string, options: NotificationOptions) {
        shown.push({ title, body: options.body ?? '', tag: options.tag ?? '', instance: this });
      }
      close() {}
    },
  );
  scope = effectScope();
  scope.run(() => useDesktopNotify());
});
afterEach(() => {
  scope.stop();
  vi.unstubAllGlobals();
});

describe('desktop notifications of new messages', () => {
  it('tell of a nudged thread’s latest message, once, with a chime', async () => {
    get.mockResolvedValue(group({ lastMessage: message(3) }));
    fire('inbox:changed', { threadId: 'g1', seq: 3 });
    await vi.waitFor(() => expect(shown).toHaveLength(1));
    expect(shown[0]).toMatchObject({ title: 'Sales', body: 'Bruce Lee: hello 3', tag: 'g1' });
    expect(chime).toHaveBeenCalledTimes(1);
  });

  it('fold a burst in one thread into the first message and the latest, under one tag', async () => {
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    let answer!: (thread: Thread) => void;
    get.mockImplementationOnce(() => new Promise((resolve) => (answer = resolve))).mockResolvedValue(group());
    fire('message:new', message(1));
    fire('message:new', message(2));
    fire('message:new', message(3));
    answer(group());
    await vi.waitFor(() => expect(shown).toHaveLength(2));
    expect(get).toHaveBeenCalledTimes(2);
    expect(shown.map((n) => [n.body, n.tag])).toEqual([
      ['Bruce Lee: hello 1', 'g1'],
      ['Bruce Lee: hello 3', 'g1'],
    ]);
    // One chime for the burst.
    expect(chime).toHaveBeenCalledTimes(1);
  });

  it('do not even fetch for my own message, or when both settings are off', async () => {
    fire('message:new', message(1, { authorId: 'alice' }));
    Object.assign(h.settings, { desktop: false, sound: false });
    fire('inbox:changed', { threadId: 'g1', seq: 2 });
    await Promise.resolve();
    expect(get).not.toHaveBeenCalled();
  });

  it('stay quiet for the conversation open on a visible tab, and speak once the tab is hidden', async () => {
    get.mockResolvedValue(group({ lastMessage: message(2) }));
    h.route = { name: 'inbox', params: { threadId: 'g1' } };
    fire('inbox:changed', { threadId: 'g1', seq: 2 });
    // The answer is already there: one turn of the event loop sees the decision through.
    await new Promise((resolve) => setTimeout(resolve));
    expect(get).toHaveBeenCalledTimes(1);
    expect(shown).toHaveLength(0);
    vi.stubGlobal('document', { visibilityState: 'hidden' });
    fire('message:new', message(3));
    await vi.waitFor(() => expect(shown).toHaveLength(1));
    expect(shown[0]!.body).toBe('Bruce Lee: hello 3');
  });

  it('open the conversation in the inbox when clicked', async () => {
    const push = vi.fn();
    h.push = push;
    get.mockResolvedValue(group({ lastMessage: message(2) }));
    fire('inbox:changed', { threadId: 'g1', seq: 2 });
    await vi.waitFor(() => expect(shown).toHaveLength(1));
    shown[0]!.instance.onclick!();
    expect(window.focus).toHaveBeenCalled();
    expect(push).toHaveBeenCalledWith({ name: 'inbox', params: { threadId: 'g1' } });
  });
});
