/**
 * The process groups this kspray process started (ansible-playbook runs in
 * its own group: exec.ts). Process-wide by nature: the lock subscribes and
 * records each group, so that after kspray itself is killed the next run can
 * tell whether an orphaned ansible-playbook still works on the cluster.
 */
export interface StartedGroup {
  /** The group's id: its leader's pid. */
  pgid: number;
  /** The leader's start (proc.ts processStart), when /proc can say. */
  start: string | undefined;
  /** The command, for whoever finds it orphaned. */
  command: string;
}

type Listener = (group: StartedGroup) => void;
const listeners = new Set<Listener>();

/** Calls `listener` for every process group started from now on; returns the unsubscriber. */
export function onProcessGroup(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceProcessGroup(group: StartedGroup): void {
  for (const listener of listeners) listener(group);
}
