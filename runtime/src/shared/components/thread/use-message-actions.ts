import type { Message } from '@threadbase/platform/contracts';
import { ref } from 'vue';
import { t } from '../../i18n/i18n.ts';
import { confirmDanger } from '../../util/confirm.ts';
import { notifyError } from '../../util/notify.ts';

/** What the thread does with one's own message; the answer replaces the message in the thread. */
export type MessageActions = { edit: (message: Message, body: string) => Promise<void>; recall: (message: Message) => Promise<void> };

/** Editing in place and recalling after a confirmation, with the server's refusals (window passed, not editable) shown. */
export function useMessageActions(message: () => Message, actions: () => MessageActions | null) {
  const editing = ref(false);
  const saving = ref(false);

  return { editing, saving, save, recall };

  async function save(body: string): Promise<void> {
    const run = actions();
    if (!run) return;
    saving.value = true;
    try {
      await run.edit(message(), body);
      editing.value = false;
    } catch (error) {
      notifyError(error);
    } finally {
      saving.value = false;
    }
  }

  async function recall(): Promise<void> {
    const run = actions();
    if (!run || !(await confirmDanger(t('thread.recall.title'), t('thread.recall.confirm'), t('thread.recall.action')))) return;
    try {
      await run.recall(message());
    } catch (error) {
      notifyError(error);
    }
  }
}
