import { useIdlePresence } from './presence/use-idle-presence.ts';
import { useDesktopNotify } from './notify-desktop/use-desktop-notify.ts';

/**
 * What a logged-in tab says and is told beyond the page on screen: whether she is there (presence) and
 * notifications of new messages. Started once, by the layout every page of the app sits in.
 */
export function useTabSignals(): void {
  useIdlePresence();
  useDesktopNotify();
}
