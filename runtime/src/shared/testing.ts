/** Helpers for the apps' unit tests: no styles or components, so they load in plain Node. */
export { compileProblems, messageAt, messageKeys, interpolations, type MessageTree } from './i18n/check-messages.ts';
export { en as sharedEn } from './i18n/en.ts';
export { zhCN as sharedZhCN } from './i18n/zh-CN.ts';
export { memoryStorage } from './util/memory-storage.ts';
