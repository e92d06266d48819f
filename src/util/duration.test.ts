import { describe, expect, it } from 'vitest';
import { parseDurationMs } from './duration.js';

describe('parseDurationMs', () => {
  it('reads h, m and s in that order', () => {
    expect(parseDurationMs('30s')).toBe(30_000);
    expect(parseDurationMs('10m')).toBe(600_000);
    expect(parseDurationMs('1h30m')).toBe(5_400_000);
    expect(parseDurationMs('1h2m3s')).toBe(3_723_000);
  });

  it('takes ms and bare seconds only where the caller allows them', () => {
    expect(parseDurationMs('500ms')).toBeUndefined();
    expect(parseDurationMs('500ms', { millis: true })).toBe(500);
    expect(parseDurationMs('1s500ms', { millis: true })).toBe(1500);
    expect(parseDurationMs('90')).toBeUndefined();
    expect(parseDurationMs('90', { bareSeconds: true })).toBe(90_000);
  });

  it('is undefined for anything else', () => {
    for (const text of ['', 'soon', '30m10h', '1.5h', '-5s', ' 30s']) expect(parseDurationMs(text, { millis: true, bareSeconds: true }), text).toBeUndefined();
  });
});
