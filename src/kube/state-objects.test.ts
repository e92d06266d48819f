import { gunzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { clusterLabelValue, microTime, stateObjectName } from './state-objects.js';
import { JOURNAL_KEY, encodeJournal, journalSecretName } from './state-secret.js';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

describe('names of kspray objects in the cluster', () => {
  it('are kspray-<cluster>, valid object names, distinct for names that differ only by _ and -', () => {
    const names = ['k1', 'k_1', 'k-1', 'prod_eu_1'].map((cluster) => stateObjectName(cluster));

    expect(names[0]).toBe('kspray-k1');
    expect(names[2]).toBe('kspray-k-1');
    expect(names[1]).toMatch(/^kspray-k-1-[0-9a-f]{8}$/);
    expect(new Set(names).size).toBe(4);
    expect(names.every((name) => DNS_SUBDOMAIN.test(name))).toBe(true);
    expect(journalSecretName('k1')).toBe('kspray-k1-journal');
  });

  it('stay within the limits for a very long cluster name', () => {
    const long = 'a'.repeat(300);

    expect(journalSecretName(long).length).toBeLessThanOrEqual(253);
    expect(journalSecretName(long)).toMatch(/-[0-9a-f]{8}-journal$/);
    expect(clusterLabelValue(long)).toHaveLength(63);
    expect(clusterLabelValue('k1')).toBe('k1');
  });

  it('write MicroTimes with six fractional digits', () => {
    expect(microTime(new Date('2024-05-01T10:00:00.123Z'))).toBe('2024-05-01T10:00:00.123000Z');
  });
});

describe('encodeJournal', () => {
  it('gzips the JSON before base64, and refuses what a Secret cannot hold before sending', () => {
    const text = JSON.stringify({ runs: Array.from({ length: 2000 }, (_, i) => ({ runId: `r${i}`, status: 'succeeded', host: 'k1-master01' })) });
    const encoded = encodeJournal(text);
    const tooSmall = encodeJournal(text, 1000);

    if (!encoded.ok) throw new Error(encoded.failure.message);
    expect(gunzipSync(Buffer.from(encoded.data[JOURNAL_KEY]!, 'base64')).toString('utf8')).toBe(text);
    expect(encoded.gzipBytes).toBeLessThan(text.length / 10);
    expect(tooSmall).toMatchObject({ ok: false, failure: { kind: 'too-large' } });
    if (!tooSmall.ok) expect(tooSmall.failure.message).toBe(`the journal is ${text.length} bytes, ${encoded.gzipBytes} gzipped: more than the 1000 bytes a Secret can hold`);
  });
});
