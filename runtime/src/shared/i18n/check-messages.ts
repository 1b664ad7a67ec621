import { baseCompile } from '@intlify/message-compiler';

export type MessageTree = { [key: string]: string | MessageTree };

/** Every leaf key of a message tree, as dotted paths. */
export function messageKeys(tree: MessageTree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) => {
    const path = prefix ? `${prefix}.${key}` : key;
    return typeof value === 'string' ? [path] : messageKeys(value, path);
  });
}

export function messageAt(tree: MessageTree, path: string): string | undefined {
  let node: string | MessageTree | undefined = tree;
  for (const key of path.split('.')) node = typeof node === 'object' ? node[key] : undefined;
  return typeof node === 'string' ? node : undefined;
}

/** Compile errors of every message, e.g. a stray `@` or `{` that vue-i18n would choke on at runtime. */
export function compileProblems(tree: MessageTree): string[] {
  const problems: string[] = [];
  for (const key of messageKeys(tree)) {
    baseCompile(messageAt(tree, key) ?? '', {
      onError: (error) => problems.push(`${key}: ${error.message}`),
    });
  }
  return problems;
}

/** The named interpolations of a message, sorted: both translations of a key must use the same ones. */
export function interpolations(message: string): string[] {
  return [...message.matchAll(/\{\s*(\w+)\s*\}/g)].map((m) => m[1]!).sort();
}
