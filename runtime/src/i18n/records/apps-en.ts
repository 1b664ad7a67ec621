import type { appsZhCN } from './apps-zh-CN.ts';

export const appsEn: typeof appsZhCN = {
  apps: {
    open: 'App launcher',
    title: 'App launcher',
    intro: 'Choose an app: Records then shows only its objects.',
    allObjects: 'All objects',
    allObjectsHint: 'Every object published in this workspace',
    current: 'Current',
    objectCount: 'one object | {count} objects',
    noApps: 'No apps yet: admins group objects into apps in the metadata.',
    loadFailed: 'Could not load the apps',
    unknown: 'There is no app “{app}”, or you may not see any of its objects.',
    chooseAnother: 'Open the app launcher',
    appSubtitle: 'The objects of {app}, in the app’s order',
    showAll: 'Show all objects',
    emptyApp: 'This app has no objects you may see.',
  },
};
