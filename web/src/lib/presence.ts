/** Colours for people's presence marks: dark enough for white text (WCAG AA at 14px bold). */
const PALETTE = [
  '#b3261e',
  '#7a4b00',
  '#1f6f3f',
  '#0b5cad',
  '#6b3fa0',
  '#a12a6b',
  '#00626b',
  '#4a5a00',
];

export function colorFor(userId: string): string {
  let hash = 0;
  for (let i = 0; i < userId.length; i++) hash = (hash * 31 + userId.charCodeAt(i)) >>> 0;
  return PALETTE[hash % PALETTE.length]!;
}

/** One or two letters (or one CJK character) for an avatar. */
export function initials(name: string): string {
  const trimmed = name.trim();
  if (!trimmed) return '?';
  const first = [...trimmed][0]!;
  // Chinese names: the last two characters of the name, as chat apps show them (张网格 → 网格).
  const han = /^[\u3400-\u9fff]+/.exec(trimmed);
  if (han) return [...han[0]].slice(-2).join('');
  const words = trimmed.split(/\s+/);
  const letters = words.length > 1 ? first + [...words[1]!][0] : [...trimmed].slice(0, 2).join('');
  return letters.toUpperCase();
}
