/** Messages of the search box in the header; merged into the runtime's messages. */
export const searchZhCN = {
  search: {
    open: '搜索',
    shortcut: 'Ctrl K',
    title: '搜索记录、消息和文件',
    placeholder: '搜索记录、消息、文件…',
    recent: '最近访问',
    noRecent: '还没有访问过记录。输入关键词开始搜索。',
    none: '没有找到“{q}”',
    failed: '搜索失败',
    kinds: { record: '记录', message: '消息', file: '文件' },
    conversation: '会话消息',
    keys: '↑↓ 选择 · Enter 打开 · Esc 关闭',
  },
};
