import type { recordPageZhCN } from './record-page-zh-CN.ts';

export const recordPageEn: typeof recordPageZhCN = {
  page: {
    tabs: { details: 'Details', related: 'Related', history: 'History' },
    related: {
      via: '{object} ({field})',
      all: 'View all {count}',
      none: 'None yet',
      nothingPoints: 'No other object links to this one.',
    },
    history: { none: 'No changes to tracked fields yet.' },
  },
};
