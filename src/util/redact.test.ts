import { afterEach, describe, expect, it } from 'vitest';
import { clearSecrets, redact, registerSecret, secretsToMask } from './redact.js';

describe('redact', () => {
  afterEach(() => clearSecrets());

  it('masks a secret of 4 characters or more wherever it occurs, inside words too', () => {
    registerSecret('s3cr3t');
    expect(redact('url https://u:s3cr3t@h/ and xs3cr3tx')).toBe('url https://u:***@h/ and x***x');
  });

  it('masks a 1–3 character secret only as a whole token, so other text stays readable', () => {
    registerSecret('ab');
    registerSecret('7');
    expect(redact('password=ab table "ab" ab\nab')).toBe('password=*** table "***" ***\n***');
    expect(redact('abc cab 17 a7 7x')).toBe('abc cab 17 a7 7x');
    expect(redact('port 7 of 7')).toBe('port *** of ***');
  });

  it('masks short secrets made of symbols and letters of any script', () => {
    registerSecret('!?');
    registerSecret('éü');
    expect(redact('x !? y, éü, éüx')).toBe('x *** y, ***, éüx');
  });

  it('masks the JSON-escaped form of a secret and each line of a multi-line one', () => {
    const pem = '-----BEGIN KEY-----\nMIIEpAIBAAKCAQEA\n-----END KEY-----';
    registerSecret('a"b\\c');
    registerSecret(pem);
    expect(redact(JSON.stringify({ v: 'a"b\\c' }))).toBe('{"v":"***"}');
    expect(redact(JSON.stringify({ key: pem }))).not.toContain('MIIEpAIBAAKCAQEA');
    expect(redact('line: MIIEpAIBAAKCAQEA')).toBe('line: ***');
  });

  it('masks the longer of two overlapping secrets whole, and ignores blank ones', () => {
    registerSecret('abcd');
    registerSecret('abcdef');
    registerSecret('   ');
    expect(redact('abcdef abcd')).toBe('*** ***');
    expect(secretsToMask()).toEqual(['abcdef', 'abcd']);
  });
});
