import type { FileOut } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { MAX_ATTACHMENTS, createUploadQueue, percentOf, type Uploader } from './upload-queue.ts';

type Call = { file: File; progress: (loaded: number, total: number) => void; signal: AbortSignal; resolve: (f: FileOut) => void; reject: (e: unknown) => void };

function fakeUploader() {
  const calls: Call[] = [];
  const upload: Uploader = (file, progress, signal) => new Promise((resolve, reject) => calls.push({ file, progress, signal, resolve, reject }));
  return { calls, upload };
}

const stored = (id: string, name: string): FileOut => ({ id, name, size: 10, contentType: 'text/plain', sha256: '0'.repeat(64), thumbnail: false, width: null, height: null, createdAt: '2026-01-01T00:00:00.000Z' });
const file = (name: string, type = 'text/plain') => new File(['0123456789'], name, { type });
const settle = () => new Promise((r) => setTimeout(r, 0));
const noPreview = { preview: () => null, revoke: () => {} };

describe('createUploadQueue', () => {
  it('uploads each file as it is added and follows its progress to done', async () => {
    const { calls, upload } = fakeUploader();
    const queue = createUploadQueue(upload, noPreview);
    queue.add([file('a.txt'), file('b.txt')]);
    expect(queue.items.value.map((i) => [i.name, i.status])).toEqual([['a.txt', 'uploading'], ['b.txt', 'uploading']]);
    expect(queue.uploading.value).toBe(true);
    calls[0]!.progress(4, 10);
    expect(percentOf(queue.items.value[0]!)).toBe(40);
    calls[0]!.resolve(stored('f1', 'a.txt'));
    calls[1]!.resolve(stored('f2', 'b.txt'));
    await settle();
    expect(queue.items.value.map((i) => i.status)).toEqual(['done', 'done']);
    expect(queue.uploading.value).toBe(false);
    expect(queue.fileIds.value).toEqual(['f1', 'f2']);
  });

  it('keeps a refused upload with its error and sends only the uploaded files', async () => {
    const { calls, upload } = fakeUploader();
    const queue = createUploadQueue(upload, noPreview);
    queue.add([file('big.zip'), file('ok.txt')]);
    const refusal = new Error('too large');
    calls[0]!.reject(refusal);
    calls[1]!.resolve(stored('f2', 'ok.txt'));
    await settle();
    expect(queue.items.value[0]).toMatchObject({ status: 'failed', error: refusal });
    expect(queue.fileIds.value).toEqual(['f2']);
  });

  it('cancels the upload of a removed file and ignores its late answer', async () => {
    const { calls, upload } = fakeUploader();
    const revoked: string[] = [];
    const queue = createUploadQueue(upload, { preview: (f) => (f.type.startsWith('image/') ? `blob:${f.name}` : null), revoke: (url) => revoked.push(url) });
    queue.add([file('photo.png', 'image/png')]);
    expect(queue.items.value[0]!.preview).toBe('blob:photo.png');
    queue.remove(queue.items.value[0]!.key);
    expect(calls[0]!.signal.aborted).toBe(true);
    expect(revoked).toEqual(['blob:photo.png']);
    calls[0]!.resolve(stored('f1', 'photo.png'));
    await settle();
    expect(queue.items.value).toEqual([]);
    expect(queue.fileIds.value).toEqual([]);
  });

  it('takes at most 20 files and says how many were left out', () => {
    const { upload } = fakeUploader();
    const queue = createUploadQueue(upload, noPreview);
    expect(queue.add(Array.from({ length: MAX_ATTACHMENTS - 2 }, (_, i) => file(`${i}.txt`)))).toBe(0);
    expect(queue.add([file('x.txt'), file('y.txt'), file('z.txt')])).toBe(1);
    expect(queue.items.value).toHaveLength(MAX_ATTACHMENTS);
  });

  it('empties after sending', async () => {
    const { calls, upload } = fakeUploader();
    const queue = createUploadQueue(upload, noPreview);
    queue.add([file('a.txt')]);
    calls[0]!.resolve(stored('f1', 'a.txt'));
    await settle();
    queue.clear();
    expect(queue.items.value).toEqual([]);
  });
});
