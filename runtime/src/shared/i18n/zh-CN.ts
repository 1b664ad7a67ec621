/** Messages every app shares. Brand and language names read the same in every locale. */
export const zhCN = {
  product: { name: 'Threadbase' },
  common: {
    save: '保存',
    cancel: '取消',
    confirm: '确定',
    delete: '删除',
    edit: '编辑',
    create: '新建',
    close: '关闭',
    copy: '复制',
    copied: '已复制到剪贴板',
    copyFailed: '复制失败，请手动选择文本复制',
    loading: '加载中…',
    loadMore: '加载更多',
    noMore: '没有更多了',
    retry: '重试',
    saved: '已保存',
    all: '全部',
    none: '无',
    never: '从不',
    required: '必填项',
  },
  locale: { label: '语言', 'zh-CN': '简体中文', en: 'English' },
  login: {
    title: '登录',
    welcome: '欢迎回来',
    login: '账号',
    loginPlaceholder: '登录名或邮箱',
    password: '密码',
    passwordPlaceholder: '请输入密码',
    submit: '登录',
    loginRequired: '请输入登录名或邮箱',
    passwordRequired: '请输入密码',
    tagline: '让每一条业务记录都有自己的对话',
    highlights: {
      records: '业务数据与讨论放在一起，来龙去脉一目了然',
      approvals: '审批、提醒与流程在对话中完成',
      private: '部署在企业自己的服务器上，数据留在内部',
    },
    footer: '忘记密码？请联系企业管理员重置。',
  },
  shell: {
    openMenu: '打开菜单',
    userMenu: '账号菜单',
    logout: '退出登录',
  },
  error: {
    network: '无法连接服务器，请检查网络后重试。',
    unexpected: '出了点问题，请稍后重试。',
  },
  department: {
    headcount: '直属 {direct} 人，含下级部门共 {total} 人',
  },
  user: {
    status: { active: '在职', disabled: '已停用', departed: '已离职' },
    admin: '管理员',
  },
};

export type SharedMessages = typeof zhCN;
