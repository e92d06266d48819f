import { describe, expect, it } from 'vitest';
import { KUBESPRAY_DEFAULT_SERIAL, parseCountOrPercent, resolveCountOrPercent } from './count-or-percent.js';
import { batchSize } from './steps.js';
import { resolveWaveCap } from './waves.js';
import { batchesOf } from '../apply/estimate.js';

describe('N or P%', () => {
  it('reads a whole count or a whole percent, nothing else', () => {
    expect(parseCountOrPercent('5')).toEqual({ kind: 'count', count: 5, text: '5' });
    expect(parseCountOrPercent(5)).toEqual({ kind: 'count', count: 5, text: '5' });
    expect(parseCountOrPercent(' 25% ')).toEqual({ kind: 'percent', percent: 25, text: '25%' });
    for (const bad of ['0', '0%', '101%', '12.5%', '1.5', 'x', '', '-1', '5 %', 0, 1.5, -2]) expect(parseCountOrPercent(bad), String(bad)).toBeUndefined();
  });

  it('rounds a percent as Ansible rounds serial: int(pct / 100.0 * hosts) or 1', () => {
    const of = (text: string, total: number): number => resolveCountOrPercent(parseCountOrPercent(text)!, total);
    expect(of('20%', 7)).toBe(1); // 1.4
    expect(of('20%', 4)).toBe(1); // 0.8 → 0 → at least 1
    expect(of('25%', 7)).toBe(1); // 1.75: truncated, where a ceiling would say 2
    expect(of('29%', 100)).toBe(28); // 0.29 * 100 is 28.999999999999996 in floating point, in Python as here
    expect(of('100%', 9)).toBe(9);
    expect(of('3', 2)).toBe(3); // a count is a count: callers cap it
    expect(resolveCountOrPercent(KUBESPRAY_DEFAULT_SERIAL, 500)).toBe(100);
  });

  it('is the rounding of --batch, --max-unavailable and the estimate alike', () => {
    expect(batchSize('25%', 7)).toBe(1);
    expect(batchSize('3', 2)).toBe(2);
    expect(resolveWaveCap('25%', 7)).toBe(1);
    expect(batchesOf({ kind: 'workers', hosts: Array.from({ length: 7 }, (_, i) => `n${i}`), serial: null })).toBe(7); // 20% of 7 → 1 a batch
  });
});
