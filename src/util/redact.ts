/**
 * The one redaction registry. Every secret value kspray resolves (rbd keys,
 * tokens, anything from `fromEnv` / `fromFile`) is registered here, and every
 * line kspray prints, logs or stores in a report passes through `redact`; the
 * event callback masks the same values in the events file (secretsToMask).
 *
 * Whatever its length, a secret is masked:
 * - 4 characters and more: everywhere it occurs, also inside a longer word
 *   (a key inside a URL or a base64 blob).
 * - 1 to 3 characters: only as a whole token, where the characters before and
 *   after it are not letters, digits or `_` (`password=ab`, `"ab"`, a line
 *   `ab`). Masking every occurrence would mangle all output — a secret `ab`
 *   would turn "table" into "t***le" and, worse, tell a reader which letters
 *   the secret is made of; a short secret printed on its own (the way a value
 *   is printed) is still masked.
 * A secret is also registered in the forms it takes when written escaped: as
 * in a JSON string (the events file, reports), and each line of a multi-line
 * secret (a PEM key printed line by line).
 */
const MASK = '***';
const secrets = new Set<string>();
let cached: { long: string[]; short: RegExp | undefined } | undefined;

/** Shorter than this, a secret is masked only as a whole token. */
export const WHOLE_TOKEN_BELOW = 4;

export function registerSecret(value: string): void {
  const forms = new Set<string>([value, value.trim(), JSON.stringify(value).slice(1, -1)]);
  const lines = value.split(/\r?\n/).map((line) => line.trim()).filter((line) => line.length >= WHOLE_TOKEN_BELOW);
  if (lines.length > 1) for (const line of lines) forms.add(line);
  for (const form of forms) if (form.trim().length > 0) secrets.add(form);
  cached = undefined;
}

/** The registered values, longest first (so a secret that contains another is masked whole). */
export function secretsToMask(): string[] {
  return [...secrets].sort((a, b) => b.length - a.length);
}

/** Masks every registered secret in `text`. */
export function redact(text: string): string {
  if (secrets.size === 0 || text.length === 0) return text;
  cached ??= compile();
  let out = text;
  for (const secret of cached.long) if (out.includes(secret)) out = out.split(secret).join(MASK);
  if (cached.short) out = out.replace(cached.short, MASK);
  return out;
}

function compile(): { long: string[]; short: RegExp | undefined } {
  const all = secretsToMask();
  const short = all.filter((secret) => secret.length < WHOLE_TOKEN_BELOW);
  const alternatives = short.map((secret) => secret.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&')).join('|');
  return {
    long: all.filter((secret) => secret.length >= WHOLE_TOKEN_BELOW),
    short: short.length > 0 ? new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives})(?![\\p{L}\\p{N}_])`, 'gu') : undefined,
  };
}

/** For tests: forget every registered secret. */
export function clearSecrets(): void {
  secrets.clear();
  cached = undefined;
}
