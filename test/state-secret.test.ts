/**
 * The journal mirrored into a Secret, against the fake API server's real
 * Secret semantics (resourceVersion, 409, 404, the 1 MiB limit).
 */
import { randomBytes } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import { JOURNAL_KEY, readJournalSecret, writeJournalSecret } from '../src/kube/state-secret.js';
import { type KubeApiServer, startKubeApiServer } from './fixtures/kube-api-server.js';
import { connectedClient, value } from './helpers/kube-client.js';

let server: KubeApiServer;
let client: KubeClient;
let clusterSeq = 0;
const nextCluster = () => `j${++clusterSeq}`;
const secretPath = (cluster: string) => `/api/v1/namespaces/kube-system/secrets/kspray-${cluster}-journal`;

beforeAll(async () => {
  server = await startKubeApiServer({ objects: [] });
  client = await connectedClient(server);
});
afterAll(async () => {
  client.close();
  await server.stop();
});


/** A journal-shaped document of `runs` runs. */
function journal(runs: number): string {
  return JSON.stringify({
    journalVersion: 1,
    cluster: 'k1',
    runs: Array.from({ length: runs }, (_, i) => ({ runId: `run-${i}`, startedAt: '2024-05-01T10:00:00.000Z', status: 'succeeded', pid: 4000 + i, host: 'ops-laptop' })),
  }, null, 2);
}

const stored = (cluster: string) => server.object('Secret', `kspray-${cluster}-journal`, 'kube-system') as { metadata: Record<string, any>; data: Record<string, string>; type: string } | undefined; // fixture object

describe('the journal in a Secret', () => {
  it('reads back nothing when the cluster holds no journal', async () => {
    expect(await readJournalSecret(client, nextCluster())).toEqual({ ok: true, value: undefined });
  });

  it('round-trips: created gzipped in kube-system with the cluster label, read back as written', async () => {
    const cluster = nextCluster();
    const text = journal(3);

    const written = value(await writeJournalSecret(client, { cluster, text, runId: 'run-2', now: new Date('2024-05-01T11:00:00Z') }));
    const read = value(await readJournalSecret(client, cluster));

    expect(read).toMatchObject({ text, resourceVersion: written.resourceVersion, runId: 'run-2', updatedAt: new Date('2024-05-01T11:00:00Z') });
    const secret = stored(cluster)!;
    expect(secret.type).toBe('Opaque');
    expect(secret.metadata.labels).toEqual({ 'kspray.io/cluster': cluster, 'app.kubernetes.io/managed-by': 'kspray' });
    expect(secret.metadata.annotations).toMatchObject({ 'kspray.io/encoding': 'gzip', 'kspray.io/journal-bytes': String(text.length), 'kspray.io/journal-sha256': read?.sha256 });
    expect(gunzipSync(Buffer.from(secret.data[JOURNAL_KEY]!, 'base64')).toString('utf8')).toBe(text);
    expect(server.requests).toContain('POST /api/v1/namespaces/kube-system/secrets');
  });

  it('updates with the resourceVersion of its last write, in one request', async () => {
    const cluster = nextCluster();
    const first = value(await writeJournalSecret(client, { cluster, text: journal(1) }));
    const before = server.requests.length;

    const second = value(await writeJournalSecret(client, { cluster, text: journal(2), resourceVersion: first.resourceVersion }));

    expect(server.requests.slice(before)).toEqual([`PUT ${secretPath(cluster)}`]);
    expect(Number(second.resourceVersion)).toBeGreaterThan(Number(first.resourceVersion));
    expect(value(await readJournalSecret(client, cluster))?.text).toBe(journal(2));
  });

  it('on 409 (someone wrote since), reads again and writes once more', async () => {
    const cluster = nextCluster();
    const first = value(await writeJournalSecret(client, { cluster, text: journal(1) }));
    value(await writeJournalSecret(client, { cluster, text: journal(2), resourceVersion: first.resourceVersion }));
    const before = server.requests.length;

    const third = await writeJournalSecret(client, { cluster, text: journal(3), resourceVersion: first.resourceVersion });

    expect(third.ok).toBe(true);
    expect(server.requests.slice(before)).toEqual([`PUT ${secretPath(cluster)}`, `GET ${secretPath(cluster)}`, `PUT ${secretPath(cluster)}`]);
    expect(value(await readJournalSecret(client, cluster))?.text).toBe(journal(3));
  });

  it('when two create it at once, the one that lost the create (409 AlreadyExists) reads again and updates', async () => {
    const cluster = nextCluster();
    const other = await connectedClient(server);
    const before = server.requests.length;

    const [a, b] = await Promise.all([writeJournalSecret(client, { cluster, text: journal(1) }), writeJournalSecret(other, { cluster, text: journal(2) })]);
    other.close();

    expect([a.ok, b.ok]).toEqual([true, true]);
    const asked = server.requests.slice(before);
    expect(asked.filter((r) => r === 'POST /api/v1/namespaces/kube-system/secrets')).toHaveLength(2);
    expect(asked.filter((r) => r === `PUT ${secretPath(cluster)}`)).toHaveLength(1);
    expect([journal(1), journal(2)]).toContain(value(await readJournalSecret(client, cluster))?.text);
  });

  it('gives up after one retry when the write conflicts again, as a conflict failure', async () => {
    const cluster = nextCluster();
    value(await writeJournalSecret(client, { cluster, text: journal(1) }));
    server.setFaults({ [`PUT ${secretPath(cluster)}$`]: 409 });
    try {
      const conflicted = await writeJournalSecret(client, { cluster, text: journal(2) });

      expect(conflicted).toMatchObject({ ok: false, error: { kind: 'conflict', status: 409 } });
      expect(server.requests.slice(-3)).toEqual([`PUT ${secretPath(cluster)}`, `GET ${secretPath(cluster)}`, `PUT ${secretPath(cluster)}`]);
    } finally {
      server.setFaults({});
    }
  });

  it('refuses a journal too large for a Secret before sending anything, saying so', async () => {
    const cluster = nextCluster();
    // Random bytes do not compress: 1.2 MiB of them, hex-encoded, gzip to about 1.3 MiB.
    const text = JSON.stringify({ blob: randomBytes(1_200_000).toString('hex') });
    const before = server.requests.length;

    const refused = await writeJournalSecret(client, { cluster, text });

    expect(refused).toMatchObject({ ok: false, error: { kind: 'too-large', server: server.url } });
    expect(!refused.ok && refused.error.message).toMatch(/^the journal is \d+ bytes, \d+ gzipped: more than the 1048576 bytes a Secret can hold$/);
    expect(server.requests.length).toBe(before);
  });

  it('mirrors a large but compressible journal (gzip keeps it far under the limit)', async () => {
    const cluster = nextCluster();
    const text = journal(20_000);
    expect(text.length).toBeGreaterThan(3 * 1024 * 1024);

    const written = value(await writeJournalSecret(client, { cluster, text }));

    expect(written.gzipBytes).toBeLessThan(1024 * 1024);
    expect(value(await readJournalSecret(client, cluster))?.text).toBe(text);
  });

  it("never reads or overwrites a Secret of that name that is not kspray's for this cluster", async () => {
    const cluster = nextCluster();
    value(await client.post('/api/v1/namespaces/kube-system/secrets', { metadata: { name: `kspray-${cluster}-journal` }, data: { other: 'eA==' } }));

    const write = await writeJournalSecret(client, { cluster, text: journal(1) });
    const read = await readJournalSecret(client, cluster);

    expect(write).toMatchObject({ ok: false, error: { kind: 'conflict', message: `Secret kube-system/kspray-${cluster}-journal exists but is not kspray's journal of cluster ${cluster}: it has no kspray.io/cluster=${cluster} label` } });
    expect(read).toMatchObject({ ok: false, error: { kind: 'conflict' } });
    expect(stored(cluster)?.data).toEqual({ other: 'eA==' });
  });

  it('says a Secret whose journal does not match its checksum holds no readable journal', async () => {
    const cluster = nextCluster();
    const written = value(await writeJournalSecret(client, { cluster, text: journal(1) }));
    const secret = stored(cluster)!;
    const tampered = { ...secret, metadata: { ...secret.metadata, resourceVersion: written.resourceVersion }, data: { [JOURNAL_KEY]: (await import('node:zlib')).gzipSync('{"edited":true}').toString('base64') } };
    value(await client.put(secretPath(cluster), tampered));

    const read = await readJournalSecret(client, cluster);

    expect(read).toMatchObject({ ok: false, error: { kind: 'invalid-response' } });
    expect(!read.ok && read.error.message).toMatch(new RegExp(`^Secret kube-system/kspray-${cluster}-journal holds no readable journal: its sha256 is [0-9a-f]{64}, the annotation says [0-9a-f]{64}$`));
  });
});
