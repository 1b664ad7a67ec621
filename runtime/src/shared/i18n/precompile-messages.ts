import { baseCompile } from '@intlify/message-compiler';
import type { Plugin } from 'vite';
import { LOCALES } from './detect-locale.ts';

/** The apps' message files: `i18n/en.ts`, `i18n/records/zh-CN.ts`, `i18n/records/list-views-en.ts`… */
const MESSAGE_FILE = new RegExp(`/i18n/(?:[\\w-]+/)*(?:[\\w-]+-)?(?:${LOCALES.join('|')})\\.ts$`);

type Node = { type: string; start: number; end: number; [key: string]: unknown };
type Replacement = { start: number; end: number; text: string };

/**
 * Compiles each message of the message files when the app is built, into the form vue-i18n formats
 * directly, so the page does without vue-i18n's message compiler (`__INTLIFY_DROP_MESSAGE_COMPILER__`)
 * — what @intlify/unplugin-vue-i18n does for JSON and YAML files, which ours are not.
 */
export function precompileMessages(): Plugin {
  return {
    name: 'threadbase:precompile-messages',
    // After TypeScript is stripped, so the parser sees plain JavaScript.
    enforce: 'post',
    transform: {
      filter: { id: MESSAGE_FILE },
      handler(code, id) {
        // Positions move only within lines, in files with nothing to debug: no source map of our own.
        return { code: compileMessagesIn(code, this.parse(code) as unknown as Node, id), map: null };
      },
    },
  };
}

export function isMessageFile(id: string): boolean {
  return MESSAGE_FILE.test(id);
}

/** `code` with every message (a string property of its objects) replaced by its compiled form. */
export function compileMessagesIn(code: string, program: Node, file: string): string {
  const replacements: Replacement[] = [];
  visit(program, (property) => {
    const value = property.value as Node;
    if (value.type === 'ObjectExpression' || value.type === 'Identifier') return;
    const key = code.slice((property.key as Node).start, (property.key as Node).end);
    if (value.type !== 'Literal' || typeof value.value !== 'string') throw new Error(`${file}: the message "${key}" is not a plain string, so it cannot be compiled ahead`);
    replacements.push({ start: value.start, end: value.end, text: JSON.stringify(compileMessage(value.value, `${file}: ${key}`)) });
  });
  let out = code;
  for (const { start, end, text } of replacements.sort((a, b) => b.start - a.start)) out = out.slice(0, start) + text + out.slice(end);
  return out;
}

/** The form vue-i18n formats without its compiler (the minified AST its JIT compiler makes in the page). */
export function compileMessage(message: string, where: string): unknown {
  return baseCompile(message, {
    jit: true,
    minify: true,
    location: false,
    onError: (error) => {
      throw new Error(`${where}: ${error.message}`);
    },
  }).ast;
}

function visit(node: unknown, onProperty: (property: Node) => void): void {
  if (Array.isArray(node)) for (const child of node) visit(child, onProperty);
  else if (node && typeof node === 'object') {
    if ((node as Node).type === 'Property') onProperty(node as Node);
    for (const child of Object.values(node)) visit(child, onProperty);
  }
}
