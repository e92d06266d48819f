/**
 * JSON with object keys sorted, and its SHA-256: the same data always hashes
 * the same, whatever order its keys were built in. Plan identity, input
 * fingerprints and the journal's plan id all hash through here.
 */
import { createHash } from 'node:crypto';

export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    return Object.fromEntries(Object.entries(item as Record<string, unknown>).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  }) ?? 'null';
}

/** `sha256:<hex>` of the canonical JSON of a value. */
export function sha256Of(value: unknown): string {
  return sha256OfText(canonicalJson(value));
}

/** `sha256:<hex>` of text or bytes as they are. */
export function sha256OfText(text: string | Uint8Array): string {
  return `sha256:${createHash('sha256').update(text).digest('hex')}`;
}
