/**
 * Durations as kspray's flags and cluster file write them: `1h30m`, `10m`,
 * `30s`, and where the caller allows them, `500ms` (gate timeouts and
 * intervals) or a bare number of seconds (`--soak 90`). The one grammar of
 * the schema, the gates and the soak. Pure.
 */
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?(?:(\d+)ms)?$/;

export interface DurationForms {
  /** `500ms` (default false). */
  millis?: boolean;
  /** `90`: seconds (default false). */
  bareSeconds?: boolean;
}

/** Milliseconds, or undefined when the text is not a duration of the allowed forms. */
export function parseDurationMs(text: string, forms: DurationForms = {}): number | undefined {
  if (forms.bareSeconds && /^\d+$/.test(text)) return Number(text) * 1000;
  const match = DURATION.exec(text);
  if (!match || text === '' || (match[4] !== undefined && !forms.millis)) return undefined;
  const [, h = '0', m = '0', s = '0', millis = '0'] = match;
  return ((Number(h) * 60 + Number(m)) * 60 + Number(s)) * 1000 + Number(millis);
}
