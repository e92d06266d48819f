import { describe, expect, it } from 'vitest';
import {
  EXPIRY_MARGIN_MS, type LeaseHolder, LeaseSchema, describeHolder, holderIdentity, leaseBody, leaseName, leaseRecord, leaseStanding, leaseVerdict,
} from './lease-record.js';

const alice: LeaseHolder = { runId: 'r-alice', host: 'laptop', user: 'alice', pid: 4242 };
const ci: LeaseHolder = { runId: 'r-ci', host: 'runner-7', user: 'gitlab-runner', pid: 77 };
const t0 = new Date('2024-05-01T10:00:00.000Z');
const at = (seconds: number) => new Date(t0.getTime() + seconds * 1000);

/** What the API server would give back for a body: the body plus uid and resourceVersion. */
function stored(body: Record<string, unknown>, resourceVersion: string) {
  const value = structuredClone(body) as { metadata: Record<string, unknown> };
  value.metadata.uid = 'u-1';
  value.metadata.resourceVersion = resourceVersion;
  return leaseRecord(LeaseSchema.parse(value));
}

const write = (holder: LeaseHolder, now: Date) => ({ cluster: 'k1', namespace: 'kube-system', holder, durationSeconds: 300, now });

describe('the Lease kspray writes', () => {
  it('names the holder in holderIdentity and in kspray.io annotations, with MicroTimes the API server parses', () => {
    const body = leaseBody(write(alice, t0)) as { metadata: { name: string; labels: object; annotations: object }; spec: object };

    expect(leaseName('k1')).toBe('kspray-k1');
    expect(body.metadata.name).toBe('kspray-k1');
    expect(body.metadata.labels).toEqual({ 'kspray.io/cluster': 'k1', 'app.kubernetes.io/managed-by': 'kspray' });
    expect(body.metadata.annotations).toEqual({ 'kspray.io/cluster-name': 'k1', 'kspray.io/run-id': 'r-alice', 'kspray.io/host': 'laptop', 'kspray.io/user': 'alice', 'kspray.io/pid': '4242' });
    expect(body.spec).toEqual({
      holderIdentity: 'alice@laptop pid 4242 run r-alice', leaseDurationSeconds: 300,
      acquireTime: '2024-05-01T10:00:00.000000Z', renewTime: '2024-05-01T10:00:00.000000Z', leaseTransitions: 0,
    });
  });

  it('keeps acquireTime and transitions on a renew, and counts a transition on a takeover', () => {
    const created = stored(leaseBody(write(alice, t0)), '10');
    const renewed = stored(leaseBody(write(alice, at(30)), created), '11');
    const taken = stored(leaseBody(write(ci, at(400)), renewed), '12');

    expect([renewed.acquireTime, renewed.renewTime, renewed.transitions]).toEqual([t0, at(30), 0]);
    expect([taken.acquireTime, taken.renewTime, taken.transitions, taken.holderIdentity]).toEqual([at(400), at(400), 1, holderIdentity(ci)]);
    expect((leaseBody(write(alice, at(30)), created).metadata as { resourceVersion: string }).resourceVersion).toBe('10');
  });

  it('reads the holder back, and describes it without control characters from the cluster', () => {
    const record = stored(leaseBody(write({ ...alice, host: 'lap\u001b[31mtop' }, t0)), '10');

    expect(record.holder).toMatchObject({ runId: 'r-alice', user: 'alice', pid: 4242, since: t0, renewedAt: t0 });
    expect(describeHolder(record.holder!)).toBe('alice@lap[31mtop (pid 4242, run r-alice), holding since 2024-05-01T10:00:00.000Z, last renewed 2024-05-01T10:00:00.000Z');
  });
});

describe('leaseStanding: the lease as a run that wants it sees it', () => {
  const lease = stored(leaseBody(write(alice, t0)), '10');

  it('is free when absent or held by nobody', () => {
    const released = stored({ metadata: { name: 'kspray-k1', namespace: 'kube-system' }, spec: { holderIdentity: null } }, '11');

    expect(leaseStanding(undefined, holderIdentity(ci), t0)).toEqual({ state: 'free' });
    expect(leaseStanding(released, holderIdentity(ci), t0)).toEqual({ state: 'free' });
  });

  it('is held by another until renewTime + leaseDurationSeconds, expired from then on', () => {
    expect(leaseStanding(lease, holderIdentity(ci), at(299))).toMatchObject({ state: 'held', holder: { user: 'alice' }, expiresAt: at(300) });
    expect(leaseStanding(lease, holderIdentity(ci), at(300))).toMatchObject({ state: 'expired', expiredAt: at(300) });
  });

  it('is ours when the identity is ours, and held forever when a lease has no duration', () => {
    const handMade = stored({ metadata: { name: 'kspray-k1' }, spec: { holderIdentity: 'someone', renewTime: '2020-01-01T00:00:00.000000Z' } }, '5');

    expect(leaseStanding(lease, holderIdentity(alice), at(1000))).toMatchObject({ state: 'ours' });
    expect(leaseStanding(handMade, holderIdentity(ci), at(1e6))).toMatchObject({ state: 'held', expiresAt: undefined, holder: { identity: 'someone' } });
  });
});

describe('leaseVerdict: the lease as its holder sees it', () => {
  const lease = stored(leaseBody(write(alice, t0)), '10');
  const me = holderIdentity(alice);

  it('is ours until the margin before its expiry, then expired', () => {
    expect(leaseVerdict(lease, me, at(300 - EXPIRY_MARGIN_MS / 1000 - 1))).toBe('ours');
    expect(leaseVerdict(lease, me, at(300 - EXPIRY_MARGIN_MS / 1000))).toBe('expired');
    expect(leaseVerdict(lease, me, at(299), 0)).toBe('ours');
  });

  it('is lost when the lease is gone or another holds it', () => {
    const taken = stored(leaseBody(write(ci, at(400)), lease), '11');

    expect(leaseVerdict(undefined, me, t0)).toBe('lost');
    expect(leaseVerdict(taken, me, at(401))).toBe('lost');
  });
});
