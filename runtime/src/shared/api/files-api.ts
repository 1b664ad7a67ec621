import type { FileOut } from '@threadbase/platform/contracts';
import { ApiError, toApiError } from './api-error.ts';
import { csrfToken } from './http.ts';

export type UploadProgress = (loaded: number, total: number) => void;

/**
 * Uploads one file as the raw body (docs/files.md): XMLHttpRequest rather than fetch, because only it
 * reports upload progress. Refusals (too large, type not allowed) carry the server's localised message.
 */
export function uploadFile(file: Blob & { name: string }, onProgress: UploadProgress, signal?: AbortSignal): Promise<FileOut> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/api/v1/files');
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('x-file-name', encodeURIComponent(file.name));
    xhr.setRequestHeader('accept', 'application/json');
    const lang = document.documentElement.lang;
    if (lang) xhr.setRequestHeader('accept-language', lang);
    const csrf = csrfToken();
    if (csrf) xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.upload.onprogress = (event) => onProgress(event.loaded, event.lengthComputable ? event.total : file.size);
    xhr.onload = () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText) as FileOut);
      else reject(toApiError(xhr.status, xhr.responseText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK_ERROR', ''));
    xhr.onabort = () => reject(new DOMException('Upload cancelled', 'AbortError'));
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.send(file);
  });
}

export const fileUrl = (fileId: string) => `/api/v1/files/${encodeURIComponent(fileId)}`;
export const thumbnailUrl = (fileId: string) => `${fileUrl(fileId)}/thumbnail`;
