import { ScriptCompiler } from './compiler.ts';

/** One compiler worker per process, started by the first script compiled, checked or typed. */
export const compiler = new ScriptCompiler();
