import type { FormInstance } from 'element-plus';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { notifyError } from '../util/notify.ts';
import { useFormSubmit } from './use-form-submit.ts';

vi.mock('../util/notify.ts', () => ({ notifyError: vi.fn() }));

function fakeForm(valid: boolean): FormInstance {
  return { validate: () => (valid ? Promise.resolve(true) : Promise.reject(new Error('invalid'))) } as unknown as FormInstance;
}

beforeEach(() => vi.mocked(notifyError).mockReset());

describe('useFormSubmit', () => {
  it('saves a valid form and is saving only while the request runs', async () => {
    let seen = false;
    const { saving, submit } = useFormSubmit(fakeForm(true), async () => {
      seen = saving.value;
    });
    await submit();
    expect(seen).toBe(true);
    expect(saving.value).toBe(false);
  });

  it('sends nothing while a rule fails or before the form is mounted', async () => {
    const save = vi.fn(async () => {});
    await useFormSubmit(fakeForm(false), save).submit();
    await useFormSubmit(null, save).submit();
    expect(save).not.toHaveBeenCalled();
  });

  it('shows a failure instead of throwing it', async () => {
    const failure = new Error('conflict');
    const { saving, submit } = useFormSubmit(fakeForm(true), () => Promise.reject(failure));
    await expect(submit()).resolves.toBeUndefined();
    expect(notifyError).toHaveBeenCalledWith(failure);
    expect(saving.value).toBe(false);
  });
});
