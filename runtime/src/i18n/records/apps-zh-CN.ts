/** Messages of the app launcher and of the records screens when an app is chosen; merged into `records`. */
export const appsZhCN = {
  apps: {
    open: '应用启动器',
    title: '应用启动器',
    intro: '选择一个应用，业务数据中只显示它的对象。',
    allObjects: '全部对象',
    allObjectsHint: '本工作区发布的每个对象',
    current: '当前',
    objectCount: '{count} 个对象',
    noApps: '还没有应用：管理员可以在元数据中把对象归组为应用。',
    loadFailed: '无法加载应用',
    unknown: '没有应用“{app}”，或者你无权查看其中的任何对象。',
    chooseAnother: '打开应用启动器',
    appSubtitle: '{app}的对象，按应用中的顺序排列',
    showAll: '显示全部对象',
    emptyApp: '这个应用中没有你能查看的对象。',
  },
};
