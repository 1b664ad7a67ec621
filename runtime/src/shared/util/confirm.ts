import 'element-plus/es/components/message-box/style/css';
import { ElMessageBox } from 'element-plus';
import { t } from '../i18n/i18n.ts';

/** Asks before something that cannot be undone; resolves to whether the person agreed. */
export async function confirmDanger(title: string, message: string, confirmText: string): Promise<boolean> {
  try {
    await ElMessageBox.confirm(message, title, {
      type: 'warning',
      confirmButtonText: confirmText,
      cancelButtonText: t('common.cancel'),
      confirmButtonClass: 'el-button--danger',
      autofocus: false,
    });
    return true;
  } catch {
    return false;
  }
}
