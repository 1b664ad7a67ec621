import type { NotifyPermission } from './notify-decision.ts';

/** What the browser allows now; `unsupported` where there is no Notification API (some mobile browsers, plain http on some). */
export function desktopPermission(): NotifyPermission {
  return typeof Notification === 'undefined' ? 'unsupported' : Notification.permission;
}

/** Asks the browser once; a refusal or a dismissed prompt is not asked again here. */
export async function askDesktopPermission(): Promise<NotifyPermission> {
  if (typeof Notification === 'undefined') return 'unsupported';
  if (Notification.permission !== 'default') return Notification.permission;
  return Notification.requestPermission();
}
