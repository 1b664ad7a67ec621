import { defineStore } from 'pinia';
import { ref, watch } from 'vue';
import { useSessionStore } from '../stores/session.ts';

export type NotifySettings = { desktop: boolean; sound: boolean };

/** Desktop notifications need the browser's permission, asked when she turns them on; the chime needs none. */
export const DEFAULT_NOTIFY_SETTINGS: Readonly<NotifySettings> = { desktop: false, sound: true };

const keyOf = (userId: string) => `threadbase.notify.${userId}`;

/** Her settings in this browser; anything unreadable (never saved, another version, storage refused) is the default. */
export function loadNotifySettings(userId: string): NotifySettings {
  try {
    const saved = JSON.parse(localStorage.getItem(keyOf(userId)) ?? 'null') as Partial<NotifySettings> | null;
    return {
      desktop: typeof saved?.desktop === 'boolean' ? saved.desktop : DEFAULT_NOTIFY_SETTINGS.desktop,
      sound: typeof saved?.sound === 'boolean' ? saved.sound : DEFAULT_NOTIFY_SETTINGS.sound,
    };
  } catch {
    return { ...DEFAULT_NOTIFY_SETTINGS };
  }
}

export function saveNotifySettings(userId: string, settings: NotifySettings): void {
  try {
    localStorage.setItem(keyOf(userId), JSON.stringify({ desktop: settings.desktop, sound: settings.sound }));
  } catch {
    // Private mode or a full storage: the choice holds until the page is closed.
  }
}

/**
 * The logged-in person's notification settings, per person so that colleagues sharing a computer each
 * keep their own; changes are saved at once and reach the notifier without a reload.
 */
export const useNotifySettingsStore = defineStore('notify-settings', () => {
  const session = useSessionStore();
  const settings = ref<NotifySettings>({ ...DEFAULT_NOTIFY_SETTINGS });
  let owner: string | null = null;

  watch(() => session.user?.id ?? null, (userId) => {
    owner = userId;
    settings.value = userId ? loadNotifySettings(userId) : { ...DEFAULT_NOTIFY_SETTINGS };
  }, { immediate: true });
  watch(settings, (next) => owner && saveNotifySettings(owner, next), { deep: true });

  return { settings };
});
