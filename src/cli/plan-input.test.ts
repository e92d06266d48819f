import { describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../plan/lock-file.js';
import { LOCK_FILE } from './plan-input.js';

describe('plan-input', () => {
  it('looks for the lock file under the name plan/lock-file.ts gives it', () => {
    expect(LOCK_FILE).toBe(LOCK_FILE_NAME);
  });
});
