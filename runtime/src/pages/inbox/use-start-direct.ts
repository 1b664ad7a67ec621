import { ref } from 'vue';
import { useRouter } from 'vue-router';
import { conversationsApi } from '../../shared/api/threads-api.ts';
import { notifyError } from '../../shared/index.ts';

/** Opens (or makes, the first time) the direct thread with a person and goes to it in the inbox. */
export function useStartDirect() {
  const router = useRouter();
  const starting = ref(false);

  return { starting, start };

  async function start(userId: string): Promise<boolean> {
    if (starting.value) return false;
    starting.value = true;
    try {
      const thread = await conversationsApi.direct(userId);
      await router.push({ name: 'inbox', params: { threadId: thread.id } });
      return true;
    } catch (error) {
      notifyError(error);
      return false;
    } finally {
      starting.value = false;
    }
  }
}
