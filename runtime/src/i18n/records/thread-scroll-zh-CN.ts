/** The thread's log: scrolling through long histories, jumping to a message (search, a reply's quote) and back to the latest. */
export const threadScrollZhCN = {
  latest: '回到最新',
  newBelow: '有新消息，回到最新',
  newer: '查看之后的消息',
  shown: '已定位到 {name} {time} 的消息',
  newMessage: '{name} 发来新消息：{body}',
  quoteEarlier: '回复了一条更早的消息',
  quoteOpen: '查看被回复的消息',
};
