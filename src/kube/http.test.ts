import { describe, expect, it } from 'vitest';
import { type HttpTarget, sendJson } from './http.js';

const target = (over: Partial<HttpTarget>): HttpTarget => ({ server: 'https://127.0.0.1:1', agent: undefined, headers: {}, auth: undefined, ...over });

describe('sendJson never throws', () => {
  it('answers a server URL that is not one with a failure', async () => {
    const result = await sendJson(target({ server: 'not a url' }), '/version', { timeoutMs: 1000 });

    expect(result).toMatchObject({ ok: false, error: { kind: 'kubeconfig', cause: 'incomplete' } });
    expect(!result.ok && result.error.message).toMatch(/^cannot send GET \/version to not a url: /);
  });

  it('answers a header node refuses (a token with a newline) with a failure, before anything is sent', async () => {
    const result = await sendJson(target({ headers: { Authorization: 'Bearer a\nb' } }), '/api/v1/secrets', { method: 'POST', body: {}, timeoutMs: 1000 });

    expect(result).toMatchObject({ ok: false, error: { kind: 'kubeconfig', cause: 'incomplete' } });
    expect(!result.ok && result.error.message).toMatch(/^cannot send POST \/api\/v1\/secrets to https:\/\/127\.0\.0\.1:1: /);
  });
});
