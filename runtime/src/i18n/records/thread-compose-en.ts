import type { threadComposeZhCN } from './thread-compose-zh-CN.ts';

export const threadComposeEn: typeof threadComposeZhCN = {
  menu: 'More actions',
  attach: {
    add: 'Attach files',
    pending: 'Files to send',
    progress: '{name}: {percent}% uploaded',
    remove: 'Remove {name}',
    open: 'Open full size: {name}',
    drop: 'Drop files to attach them',
    tooMany: 'A message carries at most {max} files',
  },
  mention: {
    label: 'People to mention',
    searching: 'Searching…',
    none: 'Nobody by that name',
  },
  edit: {
    action: 'Edit',
    label: 'Edit message',
    hint: 'Enter saves, Esc cancels',
    save: 'Save',
  },
  recall: {
    action: 'Recall',
    title: 'Recall message',
    confirm: 'Once recalled, nobody will see this message or its files any more. Recall it?',
    closed: 'Too late to recall',
  },
  typing: {
    one: '{name} is typing…',
    two: '{first} and {second} are typing…',
    many: 'Several people are typing…',
  },
};
