import 'element-plus/es/components/message/style/css';
import { ElMessage } from 'element-plus';
import { isApiError } from '../api/api-error.ts';
import { t } from '../i18n/i18n.ts';

/** Shows what went wrong: the server's message (already in the user's language), else our own text. */
export function notifyError(error: unknown): void {
  ElMessage({ type: 'error', message: errorMessage(error), grouping: true, showClose: true });
}

export function notifySuccess(message: string): void {
  ElMessage({ type: 'success', message, grouping: true });
}

export function notifyWarning(message: string): void {
  ElMessage({ type: 'warning', message, grouping: true, showClose: true });
}

export function errorMessage(error: unknown): string {
  if (isApiError(error)) {
    if (error.message) return error.message;
    if (error.code === 'NETWORK_ERROR') return t('error.network');
  }
  return t('error.unexpected');
}
