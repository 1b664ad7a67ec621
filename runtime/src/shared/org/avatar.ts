const PALETTE = ['#3370ff', '#00b42a', '#ff7d00', '#7b61ff', '#14c9c9', '#f53f3f', '#0fc6c2', '#d91ad9'];

/**
 * The text of an avatar without a picture: the last two characters of a Chinese name (as DingTalk and
 * Feishu do, so 欧阳娜娜 shows 娜娜), else the first letters of the first two words.
 */
export function avatarInitials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  if (/\p{Script=Han}/u.test(trimmed)) {
    const chars = [...trimmed.replace(/\s+/g, '')];
    return chars.slice(-2).join('');
  }
  const words = trimmed.split(/[\s._-]+/).filter(Boolean);
  const letters = words.length > 1 ? [words[0]!, words[1]!].map((w) => [...w][0]) : [...(words[0] ?? '')].slice(0, 2);
  return letters.join('').toUpperCase();
}

/** A stable colour per person, so the same person looks the same everywhere. */
export function avatarColor(seed: string): string {
  let hash = 0;
  for (const char of seed) hash = (hash * 31 + char.codePointAt(0)!) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}
