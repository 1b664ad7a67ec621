import { createPinia, setActivePinia } from 'pinia';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { nextTick, reactive } from 'vue';
import { DEFAULT_NOTIFY_SETTINGS, loadNotifySettings, useNotifySettingsStore } from './notify-settings.ts';
import { memoryStorage } from '../testing.ts';

const state = vi.hoisted(() => ({ session: null as { user: { id: string } | null } | null }));
vi.mock('../stores/session.ts', () => ({ useSessionStore: () => state.session }));

beforeEach(() => {
  vi.stubGlobal('localStorage', memoryStorage());
  setActivePinia(createPinia());
  state.session = reactive({ user: { id: 'alice' } });
});

describe('notification settings', () => {
  it('start with the chime on and desktop notifications off until she turns them on', () => {
    expect(useNotifySettingsStore().settings).toEqual({ desktop: false, sound: true });
    expect(DEFAULT_NOTIFY_SETTINGS).toEqual({ desktop: false, sound: true });
  });

  it('are saved for her in this browser as soon as she changes them', async () => {
    const prefs = useNotifySettingsStore();
    prefs.settings.desktop = true;
    prefs.settings.sound = false;
    await nextTick();
    expect(loadNotifySettings('alice')).toEqual({ desktop: true, sound: false });
    setActivePinia(createPinia());
    expect(useNotifySettingsStore().settings).toEqual({ desktop: true, sound: false });
  });

  it('are kept per person: a colleague on the same computer has her own', async () => {
    const prefs = useNotifySettingsStore();
    prefs.settings.sound = false;
    await nextTick();
    state.session!.user = { id: 'bruce' };
    await nextTick();
    expect(prefs.settings).toEqual(DEFAULT_NOTIFY_SETTINGS);
    state.session!.user = { id: 'alice' };
    await nextTick();
    expect(prefs.settings.sound).toBe(false);
  });

  it('fall back to the defaults when what is stored is unreadable or storage is refused', () => {
    localStorage.setItem('threadbase.notify.alice', '{not json');
    expect(loadNotifySettings('alice')).toEqual(DEFAULT_NOTIFY_SETTINGS);
    localStorage.setItem('threadbase.notify.alice', JSON.stringify({ desktop: 'yes', sound: false }));
    expect(loadNotifySettings('alice')).toEqual({ desktop: false, sound: false });
    vi.stubGlobal('localStorage', { getItem: () => { throw new Error('SecurityError'); } });
    expect(loadNotifySettings('alice')).toEqual(DEFAULT_NOTIFY_SETTINGS);
  });
});
