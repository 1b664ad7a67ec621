import type { MetaDocument } from '@threadbase/platform/contracts';
import { createPinia, defineStore, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { ref } from 'vue';
import { usePublishedMetaStore } from '../../shared/components/records/published-meta-store.ts';
import { useSessionStore } from '../../shared/stores/session.ts';
import { appStorageKey, useCurrentAppStore } from './current-app-store.ts';
import { memoryStorage } from '../../shared/testing.ts';

// The real session store sets the page's language on creation; only who is logged in matters here.
vi.mock('../../shared/stores/session.ts', () => ({ useSessionStore: defineStore('session', () => ({ user: ref<{ id: string } | null>(null) })) }));

const label = (text: string) => ({ 'zh-CN': text, en: text });
const object = (name: string, archived = false) => ({ name, label: label(name), pluralLabel: label(name), recordName: 'name', archived, fields: [] });
const app = (name: string, objects: string[]) => ({ name, label: label(name), icon: 'grid', objects, archived: false });
const document = {
  objects: [object('customer'), object('deal'), object('contract'), object('old', true)],
  apps: [app('sales', ['deal', 'customer']), app('legal', ['contract', 'old'])],
} as unknown as MetaDocument;

function signIn(id: string | null) {
  const session = useSessionStore() as unknown as { user: { id: string } | null };
  session.user = id ? { id } : null;
}

beforeEach(() => {
  vi.stubGlobal('localStorage', memoryStorage());
  setActivePinia(createPinia());
  usePublishedMetaStore().hydrate({ version: 3, document });
});

describe('the current app', () => {
  it('is none at first: every live object is offered', () => {
    signIn('u1');
    const store = useCurrentAppStore();
    expect(store.current).toBeNull();
    expect(store.apps.map((a) => a.name)).toEqual(['sales', 'legal']);
    expect(store.objects.map((o) => o.name)).toEqual(['customer', 'deal', 'contract']);
  });

  it('once chosen, offers its objects in its order, leaving out those that are not published', () => {
    signIn('u1');
    const store = useCurrentAppStore();
    store.choose('sales');
    expect(store.current?.name).toBe('sales');
    expect(store.objects.map((o) => o.name)).toEqual(['deal', 'customer']);
    store.choose('legal');
    expect(store.objects.map((o) => o.name)).toEqual(['contract']);
  });

  it('is remembered per person in this browser, and "all objects" forgets it', async () => {
    signIn('u1');
    useCurrentAppStore().choose('sales');
    expect(localStorage.getItem(appStorageKey('u1'))).toBe('sales');

    setActivePinia(createPinia());
    usePublishedMetaStore().hydrate({ version: 3, document });
    signIn('u2');
    expect(useCurrentAppStore().current).toBeNull();
    signIn('u1');
    await Promise.resolve();
    expect(useCurrentAppStore().current?.name).toBe('sales');

    useCurrentAppStore().choose(null);
    expect(localStorage.getItem(appStorageKey('u1'))).toBeNull();
    expect(useCurrentAppStore().objects).toHaveLength(3);
  });

  it('falls back to all objects when the remembered app is no longer published for this person', () => {
    localStorage.setItem(appStorageKey('u1'), 'support');
    signIn('u1');
    const store = useCurrentAppStore();
    expect(store.chosen).toBe('support');
    expect(store.current).toBeNull();
    expect(store.objects).toHaveLength(3);
    expect(store.find('support')).toBeNull();
  });

  it('keeps working when the browser refuses storage', () => {
    vi.stubGlobal('localStorage', { getItem: () => { throw new Error('denied'); }, setItem: () => { throw new Error('denied'); }, removeItem: () => {} });
    signIn('u1');
    const store = useCurrentAppStore();
    store.choose('legal');
    expect(store.current?.name).toBe('legal');
  });
});
