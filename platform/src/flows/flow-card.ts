import { isSafeCardLink, type FlowCard } from '../contracts/flow-definitions.ts';
import type { Ctx } from '../core/context.ts';
import { cardTemplates } from './card-templates.ts';
import { fillTemplates, type Scope } from './expressions.ts';
import { StepError } from './step-error.ts';

/**
 * The message and its card, filled in with one sandbox run. A link that does not come out as a safe URL
 * fails the step for good: the same data would give the same link on a retry.
 */
export async function fillCard(ctx: Ctx, text: string, card: FlowCard, scope: Scope): Promise<{ body: string; card: FlowCard }> {
  const templates = cardTemplates(card);
  const [body, ...filled] = await fillTemplates(ctx, [text, ...templates.map(([, t]) => t)], scope);
  const at = new Map(templates.map(([path], i) => [path, filled[i]!]));
  const links = card.links.map((_, i) => ({ label: at.get(`links.${i}.label`)!, url: at.get(`links.${i}.url`)!.trim() }));
  const unsafe = links.find((l) => !isSafeCardLink(l.url));
  if (unsafe) throw new StepError('FLOW_CARD_LINK_INVALID', `The card's link "${unsafe.label}" is not an http(s) address or a path of the app: ${unsafe.url.slice(0, 200)}`, { retry: false });
  return {
    body: body!,
    card: {
      title: at.get('title')!,
      fields: card.fields.map((_, i) => ({ label: at.get(`fields.${i}.label`)!, value: at.get(`fields.${i}.value`)! })),
      links,
    },
  };
}
