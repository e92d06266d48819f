import { defineConfig } from 'vitest/config';

// Integration tests start real processes (ansible-playbook, etcd, git): generous
// timeouts, and forks so a test's child processes die with its worker.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks',
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
