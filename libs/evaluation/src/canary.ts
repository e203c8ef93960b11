/**
 * Whether a request falls in a canary's share. Decided by a hash of the key (the caller's request
 * id when it sent one), so a retried request lands on the same model, and every worker agrees
 * without sharing state. Resolution: 0.01%.
 */
export function inCanary(key: string, percent: number): boolean {
  let h = 0x811c9dc5;
  for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
  return (h >>> 0) % 10_000 < Math.round(percent * 100);
}
