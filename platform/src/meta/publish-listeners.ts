import type { Ctx } from '../core/context.ts';

export type PublishListener = (ctx: Ctx, version: number) => void;

const listeners: PublishListener[] = [];

/**
 * Told in this process after a publish commits (restores and imports included). For work that follows
 * a publish without being part of it, such as re-checking scripts against the new types; nothing durable:
 * a listener that must not miss a publish re-checks what it needs on its own.
 */
export function onPublished(listener: PublishListener): void {
  if (!listeners.includes(listener)) listeners.push(listener);
}

export function announcePublished(ctx: Ctx, version: number): void {
  for (const listener of listeners) listener(ctx, version);
}
