/**
 * Follows the system's light or dark preference, now and when it changes, by setting `dark` on <html>
 * (what Element Plus's dark variables and ours key on).
 */
export function followColorScheme(): void {
  const query = window.matchMedia('(prefers-color-scheme: dark)');
  const apply = () => document.documentElement.classList.toggle('dark', query.matches);
  apply();
  query.addEventListener('change', apply);
}
