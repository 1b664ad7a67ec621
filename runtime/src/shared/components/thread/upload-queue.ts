import type { FileOut } from '@threadbase/platform/contracts';
import { computed, shallowRef } from 'vue';

export type UploadStatus = 'uploading' | 'done' | 'failed';
export type UploadItem = {
  key: string;
  name: string;
  size: number;
  type: string;
  status: UploadStatus;
  /** Bytes sent so far. */
  loaded: number;
  /** The stored file, once uploaded. */
  file: FileOut | null;
  error: unknown;
  /** A local picture of an image, shown before the server's thumbnail exists. */
  preview: string | null;
};
export type Uploader = (file: File, onProgress: (loaded: number, total: number) => void, signal: AbortSignal) => Promise<FileOut>;

/** docs/threads.md: a message carries up to 20 files. */
export const MAX_ATTACHMENTS = 20;

let counter = 0;

/**
 * Files on their way into the next message: each uploads as soon as it is added, shows its progress,
 * and may be removed (which cancels its upload). Only uploaded files are sent; a failed one keeps the
 * server's reason until it is removed.
 */
export function createUploadQueue(upload: Uploader, options: { preview?: (file: File) => string | null; revoke?: (url: string) => void } = {}) {
  const items = shallowRef<UploadItem[]>([]);
  const controllers = new Map<string, AbortController>();
  const preview = options.preview ?? localPreview;
  const revoke = options.revoke ?? ((url: string) => URL.revokeObjectURL(url));
  const uploading = computed(() => items.value.some((i) => i.status === 'uploading'));
  const fileIds = computed(() => items.value.flatMap((i) => (i.file ? [i.file.id] : [])));

  return { items, uploading, fileIds, add, remove, clear };

  /** Starts uploading these files; answers how many did not fit under the limit and were left out. */
  function add(files: Iterable<File>): number {
    const list = [...files];
    const room = Math.max(0, MAX_ATTACHMENTS - items.value.length);
    for (const file of list.slice(0, room)) start(file);
    return Math.max(0, list.length - room);
  }

  function start(file: File): void {
    const key = `upload-${++counter}`;
    const controller = new AbortController();
    controllers.set(key, controller);
    const item: UploadItem = { key, name: file.name, size: file.size, type: file.type, status: 'uploading', loaded: 0, file: null, error: null, preview: preview(file) };
    items.value = [...items.value, item];
    upload(file, (loaded) => patch(key, { loaded }), controller.signal).then(
      (stored) => patch(key, { status: 'done', loaded: file.size, file: stored }),
      (error: unknown) => patch(key, { status: 'failed', error }),
    ).finally(() => controllers.delete(key));
  }

  function patch(key: string, change: Partial<UploadItem>): void {
    // A removed item's late answer changes nothing.
    if (!items.value.some((i) => i.key === key)) return;
    items.value = items.value.map((i) => (i.key === key ? { ...i, ...change } : i));
  }

  function remove(key: string): void {
    controllers.get(key)?.abort();
    const gone = items.value.find((i) => i.key === key);
    if (gone?.preview) revoke(gone.preview);
    items.value = items.value.filter((i) => i.key !== key);
  }

  /** After sending: the files now belong to the message. */
  function clear(): void {
    for (const item of items.value) remove(item.key);
  }
}

export type UploadQueue = ReturnType<typeof createUploadQueue>;

/** Share of the bytes sent, 0–100. */
export function percentOf(item: Pick<UploadItem, 'loaded' | 'size' | 'status'>): number {
  if (item.status === 'done') return 100;
  return item.size > 0 ? Math.min(99, Math.floor((item.loaded / item.size) * 100)) : 0;
}

function localPreview(file: File): string | null {
  return file.type.startsWith('image/') ? URL.createObjectURL(file) : null;
}
