/**
 * Runs fn over the items, at most `limit` at a time, starting them in order;
 * resolves when every call has finished, rejects with the first failure. Pure
 * scheduling: what fn does (an API request, a probe, an Ansible run) is its own.
 */
export async function mapLimited<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const index = next++;
      await fn(items[index] as T, index);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
}
