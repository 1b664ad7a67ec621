import { pinyin } from 'pinyin-pro';

/**
 * What directory search matches and sorts on: the name, its full pinyin and its pinyin initials
 * (张三丰 → "zhangsanfeng", "zsf"), so people find colleagues by typing Latin letters as in DingTalk.
 */
export function nameKeys(displayName: string): { full: string; initials: string } {
  const chars = pinyin(displayName, { type: 'all', toneType: 'none', surname: 'head' });
  const full = chars.map((c) => (c.isZh ? c.pinyin : c.origin)).join('');
  const initials = chars.filter((c) => c.isZh).map((c) => c.first).join('');
  return { full: full.toLowerCase(), initials: initials.toLowerCase() };
}

export function searchText(user: { displayName: string; login: string; email: string | null; phone: string | null; jobTitle: string | null }): {
  searchText: string;
  sortKey: string;
} {
  const { full, initials } = nameKeys(user.displayName);
  const parts = [user.displayName, user.login, user.email, user.phone, user.jobTitle, full.replace(/\s+/g, ''), initials];
  return { searchText: parts.filter(Boolean).join(' ').toLowerCase(), sortKey: full };
}

/** Escapes LIKE wildcards so a search for "50%" matches the text, not everything. */
export function likePattern(query: string): string {
  return `%${query.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
