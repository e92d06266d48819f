/**
 * The one redaction registry. Every secret value kspray resolves (rbd keys,
 * tokens, anything from `fromEnv` / `fromFile`) is registered here, and every
 * line kspray prints, logs or stores in a report passes through `redact`.
 */
const MASK = '***';
const secrets = new Set<string>();

/** Registers a secret value; values shorter than 4 characters are not masked (they would mask ordinary text). */
export function registerSecret(value: string): void {
  const trimmed = value.trim();
  if (trimmed.length >= 4) secrets.add(trimmed);
  if (value.length >= 4) secrets.add(value);
}

/** Masks every registered secret in `text`. */
export function redact(text: string): string {
  if (secrets.size === 0 || text.length === 0) return text;
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) {
    if (out.includes(secret)) out = out.split(secret).join(MASK);
  }
  return out;
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
}
