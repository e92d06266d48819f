import { describe, expect, it } from 'vitest';
import { cidrContains, cidrsOverlap, formatCidr, hostBitsSet, normalizeAddress, parseAddress, parseCidr } from './ip.js';

describe('addresses and ranges', () => {
  it.each([
    ['fd00::1', 'fd00::1'], ['FD00:0:0::0001', 'fd00::1'], ['fd00:0:0:0:0:0:0:1', 'fd00::1'], ['::', '::'], ['::1', '::1'], ['1::', '1::'],
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], ['::ffff:192.168.1.1', '::ffff:c0a8:101'], ['fe80::1%eth0', 'fe80::1'], ['10.0.0.1', '10.0.0.1'],
  ])('writes %s as %s', (text, normal) => {
    expect(normalizeAddress(text)).toBe(normal);
  });

  it('refuses what is not an address', () => {
    for (const text of ['10.0.0.256', '10.0.0', 'fd00:::1', 'host', '', '1:2:3:4:5:6:7:8:9']) expect(parseAddress(text), text).toBeUndefined();
  });

  it('knows a range: host bits, overlap, membership, in both families', () => {
    const service = parseCidr('10.233.0.0/18')!;
    const pods = parseCidr('10.233.64.0/18')!;
    expect(hostBitsSet(service)).toBe(false);
    expect(hostBitsSet(parseCidr('10.233.1.0/18')!)).toBe(true);
    expect(formatCidr(parseCidr('10.233.1.7/18')!)).toBe('10.233.0.0/18');
    expect(cidrsOverlap(service, pods)).toBe(false);
    expect(cidrsOverlap(parseCidr('10.233.0.0/16')!, pods)).toBe(true);
    expect(cidrContains(pods, parseAddress('10.233.127.255')!)).toBe(true);
    expect(cidrContains(pods, parseAddress('10.233.128.0')!)).toBe(false);
    expect(cidrContains(parseCidr('fd00::/64')!, parseAddress('fd00::ffff')!)).toBe(true);
    expect(cidrContains(parseCidr('fd00::/64')!, parseAddress('10.0.0.1')!)).toBe(false);
    expect(formatCidr(parseCidr('fd00::1/64')!)).toBe('fd00::/64');
    for (const text of ['10.0.0.0/33', '10.0.0.0', '10.0.0.0/x', 'fd00::/129', '10.0.0.0/8/8', 'fe80::1%eth0/64']) expect(parseCidr(text), text).toBeUndefined();
  });
});
