import { z } from 'zod';
import { text } from './common.ts';

/**
 * API names of objects, fields and select options. Lower-case identifiers; a double underscore is
 * reserved for columns the platform derives from a field (`amount__currency`). Reserved words and system
 * columns are refused by `schema/identifiers.ts`, which has the full list.
 */
export const ApiName = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,49}$/, 'lower-case letters, digits and _, starting with a letter, at most 50')
  .refine((s) => !s.includes('__') && !s.endsWith('_'), { message: 'no double underscore and no trailing underscore' });

export const LocalisedText = z.object({ 'zh-CN': text(200, 1), en: text(200, 1) }).meta({ id: 'LocalisedText' });
export type LocalisedText = z.infer<typeof LocalisedText>;
