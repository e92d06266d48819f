import { redact } from '../util/redact.js';

/**
 * Masks registered secrets in every string of a JSON-like value, keys
 * included. Structural, not on the serialized text: masking JSON text could
 * miss a secret that JSON escaped, or break the document.
 */
export function redactDeep<T>(value: T): T {
  return walk(value) as T;
}

function walk(value: unknown): unknown {
  if (typeof value === 'string') return redact(value);
  if (Array.isArray(value)) return value.map(walk);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [redact(key), walk(item)]));
  }
  return value;
}
