import type { FlowCard } from '../contracts/flow-definitions.ts';

/** Each text of a card with its path under `card` (`fields.0.value`), in one fixed order. */
export function cardTemplates(card: FlowCard | undefined): [path: string, text: string][] {
  if (!card) return [];
  return [
    ['title', card.title],
    ...card.fields.flatMap((f, i): [string, string][] => [
      [`fields.${i}.label`, f.label],
      [`fields.${i}.value`, f.value],
    ]),
    ...card.links.flatMap((l, i): [string, string][] => [
      [`links.${i}.label`, l.label],
      [`links.${i}.url`, l.url],
    ]),
  ];
}
