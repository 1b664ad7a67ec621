/**
 * A card link a reader's browser may open: the web, or a page of the app; never `javascript:` and the like.
 * Without zod, so that the apps can check links without loading every contract.
 */
export const isSafeCardLink = (url: string): boolean => /^(https?:\/\/\S+|\/(?!\/)\S*)$/i.test(url);
