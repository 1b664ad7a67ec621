import type { searchZhCN } from './zh-CN.ts';

export const searchEn: typeof searchZhCN = {
  search: {
    open: 'Search',
    shortcut: 'Ctrl K',
    title: 'Search records, messages and files',
    placeholder: 'Search records, messages, files…',
    recent: 'Recently opened',
    noRecent: 'No records opened yet. Type to search.',
    none: 'Nothing found for “{q}”',
    failed: 'Search failed',
    kinds: { record: 'Records', message: 'Messages', file: 'Files' },
    conversation: 'Conversation',
    keys: '↑↓ to choose · Enter to open · Esc to close',
  },
};
