/** The record thread's composer and message tools: files, @mentions, editing, recalling, typing; spread into `thread`. */
export const threadComposeZhCN = {
  menu: '更多操作',
  attach: {
    add: '添加附件',
    pending: '待发送的附件',
    progress: '{name} 已上传 {percent}%',
    remove: '移除 {name}',
    open: '查看大图：{name}',
    drop: '松开即可添加附件',
    tooMany: '一条消息最多带 {max} 个附件',
  },
  mention: {
    label: '提及的人',
    searching: '正在查找…',
    none: '没有找到这个人',
  },
  edit: {
    action: '编辑',
    label: '编辑消息',
    hint: 'Enter 保存，Esc 取消',
    save: '保存',
  },
  recall: {
    action: '撤回',
    title: '撤回消息',
    confirm: '撤回后，所有人都将看不到这条消息及其附件。确定撤回吗？',
    closed: '已超过可撤回时间',
  },
  typing: {
    one: '{name} 正在输入…',
    two: '{first} 和 {second} 正在输入…',
    many: '多人正在输入…',
  },
};
