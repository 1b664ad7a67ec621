import type { listEditingZhCN } from './list-editing-zh-CN.ts';

export const listEditingEn: typeof listEditingZhCN = {
  columns: {
    button: 'Columns',
    title: 'Columns shown',
    up: 'Move “{field}” up',
    down: 'Move “{field}” down',
    always: 'The record name is always shown',
    reset: 'Reset to the view’s columns',
  },
  inline: {
    edit: 'Edit “{field}”',
    saving: 'Saving…',
    conflict: 'Someone else has just changed this record. Reload the row, then make your change again.',
    reload: 'Reload row',
  },
  select: {
    page: 'Select every record on this page',
    row: 'Select “{name}”',
  },
  bulk: {
    label: 'Actions on the selected records',
    selected: '{count} selected',
    edit: 'Edit a field',
    delete: 'Delete',
    export: 'Export selected',
    clear: 'Clear selection',
    editTitle: 'Edit one record | Edit {count} records',
    field: 'Field',
    pickField: 'Choose the field to change',
    value: 'New value',
    apply: 'Change one record | Change {count} records',
    edited: 'One record changed | {count} records changed',
    deleteTitle: 'Delete one record? | Delete {count} records?',
    deleteText: 'This cannot be undone.',
    deleteConfirm: 'Delete one | Delete {count}',
    deleted: 'One record deleted | {count} records deleted',
    failedAt: '“{name}” could not be saved: {reason} No record was changed.',
  },
};
