import type { threadScrollZhCN } from './thread-scroll-zh-CN.ts';

export const threadScrollEn: typeof threadScrollZhCN = {
  latest: 'Jump to latest',
  newBelow: 'New messages: jump to latest',
  newer: 'Show later messages',
  shown: 'Showing the message from {name}, {time}',
  newMessage: 'New message from {name}: {body}',
  quoteEarlier: 'Replying to an earlier message',
  quoteOpen: 'Show the message replied to',
};
