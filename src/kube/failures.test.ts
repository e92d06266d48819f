import { describe, expect, it } from 'vitest';
import { type CredentialsInfo, answerFailure, networkFailure } from './failures.js';

const server = 'https://10.0.0.1:6443';
const withCa: CredentialsInfo = { token: false, caFromKubeconfig: true };
const error = (code: string, message = code) => Object.assign(new Error(message), { code });

describe('networkFailure', () => {
  it('names each TLS cause apart, with the verification code', () => {
    const causes = ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'SELF_SIGNED_CERT_IN_CHAIN', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID', 'ERR_TLS_CERT_ALTNAME_INVALID', 'EPROTO']
      .map((code) => networkFailure(server, error(code), withCa))
      .map((f) => [f.kind, f.cause, f.message]);

    expect(causes).toEqual([
      ['tls', 'unknown-ca', `TLS with ${server} failed: the server's certificate is not signed by the kubeconfig's certificate authority (UNABLE_TO_VERIFY_LEAF_SIGNATURE)`],
      ['tls', 'unknown-ca', `TLS with ${server} failed: the server's certificate is not signed by the kubeconfig's certificate authority (SELF_SIGNED_CERT_IN_CHAIN)`],
      ['tls', 'expired', `TLS with ${server} failed: the server's certificate has expired (CERT_HAS_EXPIRED)`],
      ['tls', 'not-yet-valid', `TLS with ${server} failed: the server's certificate is not valid yet (CERT_NOT_YET_VALID)`],
      ['tls', 'hostname', `TLS with ${server} failed: the server's certificate is not issued for 10.0.0.1 (ERR_TLS_CERT_ALTNAME_INVALID)`],
      ['tls', 'handshake', `TLS with ${server} failed: the TLS handshake failed (EPROTO)`],
    ]);
  });

  it('says the kubeconfig names no CA when the system CAs were used', () => {
    const failure = networkFailure(server, error('UNABLE_TO_GET_ISSUER_CERT_LOCALLY'), { token: true, caFromKubeconfig: false });

    expect(failure.message).toContain('not signed by a certificate authority this machine trusts, and the kubeconfig names none');
    expect(failure.hint).toContain('certificate-authority-data');
  });

  it('keeps connection failures as unreachable', () => {
    expect(networkFailure(server, error('ECONNREFUSED'))).toEqual({ kind: 'unreachable', server, message: `cluster not reachable at ${server}: connection refused (ECONNREFUSED)` });
    expect(networkFailure(server, error('EWEIRD', 'something odd'))).toMatchObject({ kind: 'unreachable', message: `cluster not reachable at ${server}: something odd (EWEIRD)` });
  });
});

describe('answerFailure', () => {
  const status = (code: number, reason: string, message: string) => JSON.stringify({ kind: 'Status', status: 'Failure', code, reason, message });

  it('tells a create that lost (AlreadyExists) from a stale write (Conflict) by the Status reason', () => {
    expect(answerFailure(server, '/x', 409, status(409, 'AlreadyExists', 'leases.coordination.k8s.io "kspray-k1" already exists')))
      .toMatchObject({ kind: 'conflict', reason: 'AlreadyExists', status: 409, message: `cluster at ${server} refused /x (409 AlreadyExists): leases.coordination.k8s.io "kspray-k1" already exists` });
    expect(answerFailure(server, '/x', 409, status(409, 'Conflict', 'the object has been modified'))).toMatchObject({ kind: 'conflict', reason: 'Conflict' });
  });

  it('says an expired client certificate expired, and one not yet valid is not valid yet', () => {
    const cert = { subject: 'CN=kubernetes-admin', issuer: 'CN=kubernetes', validFrom: new Date('2024-01-01T00:00:00Z'), validTo: new Date('2025-01-01T00:00:00Z') };
    const body = status(401, 'Unauthorized', 'Unauthorized');

    expect(answerFailure(server, '/version', 401, body, { ...withCa, clientCertificate: cert }, new Date('2025-06-01T00:00:00Z')))
      .toMatchObject({ kind: 'unauthorized', cause: 'client-certificate-expired', message: `cluster at ${server} rejected the credentials (401 Unauthorized): the kubeconfig's client certificate (CN=kubernetes-admin) expired on 2025-01-01T00:00:00.000Z` });
    expect(answerFailure(server, '/version', 401, body, { ...withCa, clientCertificate: cert }, new Date('2023-06-01T00:00:00Z')))
      .toMatchObject({ kind: 'unauthorized', cause: 'client-certificate-not-yet-valid' });
  });
});
