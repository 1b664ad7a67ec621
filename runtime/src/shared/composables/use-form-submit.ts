import type { FormInstance } from 'element-plus';
import { ref, toValue, type MaybeRefOrGetter } from 'vue';
import { notifyError } from '../util/notify.ts';

/**
 * Submits an Element Plus form: nothing is sent until every rule passes, `saving` is true while the
 * request runs (bind it to the form's `disabled` and the button's `loading`), and a failure is shown
 * as a message rather than thrown, so the user can correct the form and try again.
 */
export function useFormSubmit(form: MaybeRefOrGetter<FormInstance | null | undefined>, save: () => Promise<void>) {
  const saving = ref(false);

  return { saving, submit };

  async function submit(): Promise<void> {
    if (!(await toValue(form)?.validate().catch(() => false))) return;
    saving.value = true;
    try {
      await save();
    } catch (error) {
      notifyError(error);
    } finally {
      saving.value = false;
    }
  }
}
