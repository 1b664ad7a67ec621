import type { Locale } from '../contracts/index.ts';

/** The sandbox's rules a script must keep, and a check that could not finish; TypeScript's own diagnostics keep its codes (`TS1005`). */
export const SCRIPT_RULE_CODES = ['SCRIPT_IMPORT', 'SCRIPT_REQUIRE', 'SCRIPT_NO_DEFAULT_EXPORT', 'SCRIPT_DEFAULT_NOT_FUNCTION', 'SCRIPT_CHECK_FAILED'] as const;
export type ScriptRuleCode = (typeof SCRIPT_RULE_CODES)[number];

/** Messages of the rules (and of hints that replace TypeScript's own), shown in the script editor beside the line and column they point at. */
export const scriptMessages: Record<Locale, Record<ScriptRuleCode | 'NOT_IN_SANDBOX', string>> = {
  en: {
    SCRIPT_IMPORT: 'Scripts cannot import modules ({what}): the Threadbase API (records, thread, http, log, env, ctx) is already there as globals.',
    SCRIPT_REQUIRE: 'Scripts cannot require modules: the Threadbase API (records, thread, http, log, env, ctx) is already there as globals.',
    SCRIPT_NO_DEFAULT_EXPORT: 'A script must export its function as default: export default async function () { … }',
    SCRIPT_DEFAULT_NOT_FUNCTION: 'The default export must be a function: export default async function () { … }',
    SCRIPT_CHECK_FAILED: 'The script could not be checked within {seconds} s and the memory allowed. Simplify its types, or split it.',
    NOT_IN_SANDBOX: 'Cannot find name \'{name}\'. Scripts have JavaScript (ES2023) and the Threadbase API, not what browsers or Node.js add.',
  },
  'zh-CN': {
    SCRIPT_IMPORT: '脚本不能导入模块（{what}）：Threadbase 的接口（records、thread、http、log、env、ctx）已作为全局变量提供。',
    SCRIPT_REQUIRE: '脚本不能 require 模块：Threadbase 的接口（records、thread、http、log、env、ctx）已作为全局变量提供。',
    SCRIPT_NO_DEFAULT_EXPORT: '脚本必须默认导出一个函数：export default async function () { … }',
    SCRIPT_DEFAULT_NOT_FUNCTION: '默认导出必须是函数：export default async function () { … }',
    SCRIPT_CHECK_FAILED: '无法在 {seconds} 秒和允许的内存内检查此脚本，请简化其中的类型或拆分脚本。',
    NOT_IN_SANDBOX: '找不到名称“{name}”。脚本中只有 JavaScript（ES2023）和 Threadbase 接口，没有浏览器或 Node.js 提供的内容。',
  },
};
