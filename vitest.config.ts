import { defineConfig } from 'vitest/config';

// Integration tests start real processes (ansible-playbook, etcd, git): generous
// timeouts, and forks so a test's child processes die with its worker.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts', 'bench/**/*.test.ts'],
    pool: 'forks',
    // Two files at a time: on the 2-core CI machine vitest's default is one (cores - 1), and most of a
    // file's time is spent waiting on the processes it runs (ansible-playbook, etcd, git), not on a core.
    maxWorkers: 2,
    testTimeout: 300_000,
    hookTimeout: 300_000,
    reporters: ['default'],
  },
});
