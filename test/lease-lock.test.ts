/**
 * kspray's cluster lock against the fake API server's real Lease semantics:
 * each run a client of its own, as two machines would be. Timing decisions
 * are made from the clock each holder is given (an acquire "ten minutes ago"
 * makes an expired lease without waiting); the background keeper is driven
 * with short intervals and observed through its events, never by sleeping.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { KubeClient } from '../src/kube/client.js';
import {
  type AcquireOutcome, type HeldLease, type KeeperEvent, acquireLease, keepLease, releaseLease, renewLease,
} from '../src/kube/lease-lock.js';
import { type LeaseHolder, holderIdentity } from '../src/kube/lease-record.js';
import { type KubeApiServer, startKubeApiServer } from './fixtures/kube-api-server.js';
import { connectedClient, value } from './helpers/kube-client.js';

let server: KubeApiServer;
const clients: KubeClient[] = [];

const alice: LeaseHolder = { runId: 'r-alice', host: 'laptop', user: 'alice', pid: 4242 };
const ci: LeaseHolder = { runId: 'r-ci', host: 'runner-7', user: 'gitlab-runner', pid: 77 };
const tenMinutesAgo = () => new Date(Date.now() - 10 * 60_000);
let clusterSeq = 0;
/** A cluster name of its own per test: one server, no interference. */
const nextCluster = () => `c${++clusterSeq}`;

beforeAll(async () => {
  server = await startKubeApiServer({ objects: [] });
});
afterEach(() => {
  server.setFaults({});
});
afterAll(async () => {
  for (const client of clients) client.close();
  await server.stop();
});

/** A client of its own: another machine. */
async function machine(): Promise<KubeClient> {
  const client = await connectedClient(server);
  clients.push(client);
  return client;
}


function acquired(outcome: AcquireOutcome): HeldLease {
  if (outcome.status !== 'acquired') throw new Error(outcome.message);
  return outcome.lease;
}

const stored = (cluster: string) => server.object('Lease', `kspray-${cluster}`, 'kube-system') as { metadata: Record<string, any>; spec: Record<string, any> } | undefined; // fixture object

describe('acquire, held, renew, release', () => {
  it('creates the lease kspray-<cluster> in kube-system naming the holder', async () => {
    const cluster = nextCluster();
    const lease = acquired(value(await acquireLease(await machine(), { cluster, holder: alice })));

    expect(lease.record).toMatchObject({ name: `kspray-${cluster}`, namespace: 'kube-system', holderIdentity: 'alice@laptop pid 4242 run r-alice', durationSeconds: 300, transitions: 0 });
    expect(stored(cluster)?.spec).toMatchObject({ holderIdentity: holderIdentity(alice), leaseDurationSeconds: 300 });
    expect(stored(cluster)?.metadata.annotations).toMatchObject({ 'kspray.io/run-id': 'r-alice', 'kspray.io/host': 'laptop', 'kspray.io/user': 'alice', 'kspray.io/pid': '4242' });
    expect(stored(cluster)?.metadata.labels).toMatchObject({ 'kspray.io/cluster': cluster });
  });

  it('answers a second acquirer "held", naming the holder (host, user, pid, run, since)', async () => {
    const cluster = nextCluster();
    acquired(value(await acquireLease(await machine(), { cluster, holder: alice })));

    const second = value(await acquireLease(await machine(), { cluster, holder: ci }));

    expect(second).toMatchObject({ status: 'held', holder: { host: 'laptop', user: 'alice', pid: 4242, runId: 'r-alice' } });
    if (second.status !== 'held') return;
    expect(second.holder.since).toBeInstanceOf(Date);
    expect(second.message).toMatch(new RegExp(`^cluster ${cluster} is locked by alice@laptop \\(pid 4242, run r-alice\\), holding since \\S+Z, last renewed \\S+Z \\(lease kube-system/kspray-${cluster}\\); it runs out at \\S+Z unless renewed$`));
  });

  it('renews with the resourceVersion it holds, moving renewTime and keeping acquireTime', async () => {
    const cluster = nextCluster();
    const lease = acquired(value(await acquireLease(await machine(), { cluster, holder: alice, now: tenMinutesAgo })));

    const renewed = await renewLease(await machine(), { ...lease, now: () => new Date() });

    expect(renewed.status).toBe('renewed');
    if (renewed.status !== 'renewed') return;
    expect(Number(renewed.lease.record.resourceVersion)).toBeGreaterThan(Number(lease.record.resourceVersion));
    expect(renewed.lease.record.renewTime!.getTime()).toBeGreaterThan(lease.record.renewTime!.getTime());
    expect(renewed.lease.record.acquireTime).toEqual(lease.record.acquireTime);
    expect(server.requests).toContain(`PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kspray-${cluster}`);
  });

  it('takes over an expired lease, and the old holder learns on its next renew that it lost it, to whom', async () => {
    const cluster = nextCluster();
    const old = acquired(value(await acquireLease(await machine(), { cluster, holder: alice, now: tenMinutesAgo })));

    const takeover = value(await acquireLease(await machine(), { cluster, holder: ci }));
    const renew = await renewLease(await machine(), old);

    expect(takeover).toMatchObject({ status: 'acquired', tookOver: { holder: { user: 'alice', runId: 'r-alice' }, forced: false } });
    if (takeover.status === 'acquired') expect(takeover.lease.record.transitions).toBe(1);
    expect(renew).toMatchObject({ status: 'lost', holder: { user: 'gitlab-runner', runId: 'r-ci' } });
    if (renew.status === 'lost') expect(renew.message).toMatch(new RegExp(`^lost the lock of cluster ${cluster}: it is held now by gitlab-runner@runner-7 \\(pid 77, run r-ci\\), holding since `));
    expect(stored(cluster)?.spec.holderIdentity).toBe(holderIdentity(ci));
  });

  it('takes a live lease only with force (--break-lock), saying from whom', async () => {
    const cluster = nextCluster();
    acquired(value(await acquireLease(await machine(), { cluster, holder: alice })));

    const forced = value(await acquireLease(await machine(), { cluster, holder: ci, force: true }));

    expect(forced).toMatchObject({ status: 'acquired', tookOver: { holder: { user: 'alice' }, forced: true } });
  });

  it('acquires again what it already holds (a resumed run), as a renew', async () => {
    const cluster = nextCluster();
    const first = acquired(value(await acquireLease(await machine(), { cluster, holder: alice })));

    const again = acquired(value(await acquireLease(await machine(), { cluster, holder: alice })));

    expect(again.record.acquireTime).toEqual(first.record.acquireTime);
    expect(again.record.transitions).toBe(0);
  });

  it('releases only a lease that is still ours', async () => {
    const mine = nextCluster();
    const lease = acquired(value(await acquireLease(await machine(), { cluster: mine, holder: alice })));
    const lost = nextCluster();
    const old = acquired(value(await acquireLease(await machine(), { cluster: lost, holder: alice, now: tenMinutesAgo })));
    acquired(value(await acquireLease(await machine(), { cluster: lost, holder: ci })));

    const released = value(await releaseLease(await machine(), lease));
    const again = value(await releaseLease(await machine(), lease));
    const notOurs = value(await releaseLease(await machine(), old));

    expect(released).toEqual({ status: 'released' });
    expect(stored(mine)).toBeUndefined();
    expect(again).toEqual({ status: 'gone' });
    expect(notOurs).toMatchObject({ status: 'not-ours', holder: { user: 'gitlab-runner' } });
    expect(stored(lost)?.spec.holderIdentity).toBe(holderIdentity(ci));
  });

  it('releases its lease even when a renew of its own landed but its answer was lost (a newer resourceVersion, still ours)', async () => {
    const cluster = nextCluster();
    const stale = acquired(value(await acquireLease(await machine(), { cluster, holder: alice })));
    const renewed = await renewLease(await machine(), stale);
    expect(renewed.status).toBe('renewed');

    expect(value(await releaseLease(await machine(), stale))).toEqual({ status: 'released' });
    expect(stored(cluster)).toBeUndefined();
  });

  it('says what failed when the API refuses, as a KubeFailure', async () => {
    server.setFaults({ '/apis/coordination.k8s.io': 403 });

    const refused = await acquireLease(await machine(), { cluster: nextCluster(), holder: alice });

    expect(refused).toMatchObject({ ok: false, error: { kind: 'forbidden', status: 403 } });
  });
});

describe('racing acquirers', () => {
  it('of a free cluster: exactly one wins, the others are told who', async () => {
    const cluster = nextCluster();
    const holders = Array.from({ length: 5 }, (_, i): LeaseHolder => ({ runId: `r-${i}`, host: `host-${i}`, user: 'ops', pid: 100 + i }));
    const machines = await Promise.all(holders.map(() => machine()));

    const before = server.requests.length;

    const outcomes = (await Promise.all(holders.map((holder, i) => acquireLease(machines[i]!, { cluster, holder })))).map(value);

    // They did race: several creates were sent (each after reading "no lease"), one landed.
    expect(server.requests.slice(before).filter((r) => r === 'POST /apis/coordination.k8s.io/v1/namespaces/kube-system/leases').length).toBeGreaterThan(1);
    const winners = outcomes.filter((o) => o.status === 'acquired');
    expect(winners).toHaveLength(1);
    const winner = winners[0]!.status === 'acquired' ? winners[0]!.lease.holder : undefined;
    for (const loser of outcomes.filter((o) => o.status === 'held')) expect(loser).toMatchObject({ holder: { runId: winner?.runId, host: winner?.host } });
    expect(stored(cluster)?.spec.holderIdentity).toBe(holderIdentity(winner!));
  });

  it('of an expired lease: exactly one takes it over', async () => {
    const cluster = nextCluster();
    acquired(value(await acquireLease(await machine(), { cluster, holder: alice, now: tenMinutesAgo })));
    const takers = [ci, { ...ci, runId: 'r-ci-2', pid: 78 }, { ...ci, runId: 'r-ci-3', pid: 79 }];
    const machines = await Promise.all(takers.map(() => machine()));

    const before = server.requests.length;

    const outcomes = (await Promise.all(takers.map((holder, i) => acquireLease(machines[i]!, { cluster, holder })))).map(value);

    expect(server.requests.slice(before).filter((r) => r === `PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kspray-${cluster}`).length).toBeGreaterThan(1);
    expect(outcomes.filter((o) => o.status === 'acquired')).toHaveLength(1);
    expect(outcomes.filter((o) => o.status === 'held')).toHaveLength(2);
    expect(stored(cluster)?.spec.leaseTransitions).toBe(1);
  });
});

/** Resolves with the first event that `match` accepts. */
function eventually(events: KeeperEvent[], listeners: Array<() => void>, match: (event: KeeperEvent) => boolean): Promise<KeeperEvent> {
  return new Promise((resolve) => {
    const check = () => {
      const found = events.find(match);
      if (found) resolve(found);
    };
    listeners.push(check);
    check();
  });
}

describe('keeping the lease while the run lives', () => {
  it('renews until stopped, tolerates an API outage (connection refused), and renews again when the API is back', async () => {
    const cluster = nextCluster();
    const client = await machine();
    const lease = acquired(value(await acquireLease(client, { cluster, holder: alice })));
    const events: KeeperEvent[] = [];
    const listeners: Array<() => void> = [];
    const keeper = keepLease(client, lease, { intervalMs: 20, retryMs: 10, onEvent: (event) => { events.push(event); for (const l of listeners) l(); } });

    await eventually(events, listeners, (e) => e.type === 'renewed');
    await server.goDown();
    const failed = await eventually(events, listeners, (e) => e.type === 'renew-failed');
    const verdictDuringOutage = keeper.verdict();
    await server.comeBack();
    const failures = events.length;
    await eventually(events, listeners, (e) => e.type === 'renewed' && events.indexOf(e) >= failures);
    const last = await keeper.stop();

    expect(failed).toMatchObject({ type: 'renew-failed', verdict: 'ours', error: { kind: 'unreachable' } });
    expect(verdictDuringOutage).toBe('ours');
    expect(keeper.verdict()).toBe('ours');
    expect(Number(last.record.resourceVersion)).toBeGreaterThan(Number(lease.record.resourceVersion));
    expect(value(await releaseLease(client, last))).toEqual({ status: 'released' });
  });

  it('past its end, keeps trying: expired while renews fail, ours again when one lands and nobody took the lease meanwhile', async () => {
    const cluster = nextCluster();
    const client = await machine();
    const lease = acquired(value(await acquireLease(client, { cluster, holder: alice, now: tenMinutesAgo })));
    const events: KeeperEvent[] = [];
    const listeners: Array<() => void> = [];
    server.setFaults({ [`PUT /apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kspray-${cluster}`]: 503 });
    // The holder's own clock is today's: its lease, last renewed ten minutes ago, has run out.
    const keeper = keepLease(client, { ...lease, now: () => new Date() }, { intervalMs: 10, retryMs: 10, onEvent: (event) => { events.push(event); for (const l of listeners) l(); } });

    const failed = await eventually(events, listeners, (e) => e.type === 'renew-failed');
    const expiredVerdict = keeper.verdict();
    server.setFaults({});
    await eventually(events, listeners, (e) => e.type === 'renewed');
    const last = await keeper.stop();

    expect(failed).toMatchObject({ verdict: 'expired', error: { kind: 'http', status: 503 } });
    expect(expiredVerdict).toBe('expired');
    expect(keeper.verdict()).toBe('ours');
    expect(last.record.acquireTime).toEqual(lease.record.acquireTime);
    expect(last.record.transitions).toBe(0);
  });

  it('settles `lost` naming the run that took the lease', async () => {
    const cluster = nextCluster();
    const client = await machine();
    const lease = acquired(value(await acquireLease(client, { cluster, holder: alice })));
    const keeper = keepLease(client, lease, { intervalMs: 10, retryMs: 10 });

    acquired(value(await acquireLease(await machine(), { cluster, holder: ci, force: true })));
    const lost = await keeper.lost;

    expect(lost).toMatchObject({ holder: { runId: 'r-ci' } });
    expect(lost.message).toContain(`lost the lock of cluster ${cluster}: it is held now by gitlab-runner@runner-7`);
    expect(keeper.verdict()).toBe('lost');
    await keeper.stop();
  });
});
