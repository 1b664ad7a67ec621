/** Messages of the record page's tabs: related lists and history; part of `records`. */
export const recordPageZhCN = {
  page: {
    tabs: { details: '详情', related: '相关记录', history: '变更历史' },
    related: {
      via: '{object}（{field}）',
      all: '查看全部 {count} 条',
      none: '暂无记录',
      nothingPoints: '没有其他对象关联到这里。',
    },
    history: { none: '还没有被跟踪字段的变更。' },
  },
};
