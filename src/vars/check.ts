/**
 * The read check as commands run it: the table alone where it is verified
 * (a bundled catalog's tags: src/vars/table.test.ts checks every range
 * against the bundled facts), the tag's facts where extra or node variables
 * need them or the tag came from a refresh. Loads the facts only then.
 */
import type { Cluster } from '../model/schema.js';
import { UsageError } from '../util/errors.js';
import { loadVariableFacts, type VariableFacts } from './facts.js';
import { assertAllRead, needsFacts, type Unread, unreadSettings } from './unread.js';

export interface ReadCheckOptions {
  /** Whether the table's ranges are verified for the tags (true for a bundled catalog). */
  tableVerified: boolean;
  /** --allow-unread: variables or cluster-file paths the operator accepts unread. */
  allowUnread?: readonly string[] | undefined;
  /** Default: loadVariableFacts(). */
  facts?: () => VariableFacts;
}

/** Every unread setting of the cluster on each tag (in tag order). */
export function unreadOnTags(cluster: Cluster, tags: readonly string[], options: Pick<ReadCheckOptions, 'tableVerified' | 'facts'>): Unread[] {
  const facts = needsFacts(cluster, options.tableVerified) ? (options.facts ?? loadVariableFacts)() : undefined;
  return [...new Set(tags)].flatMap((tag) => {
    if (facts && !facts.knows(tag)) {
      throw new UsageError(
        `kspray has no variable facts for Kubespray ${tag} (${facts.source}), so it cannot tell which settings that tag reads`,
        'run `kspray catalog refresh --repo URL|PATH`: it extracts the variable facts of every tag with the catalog',
      );
    }
    return unreadSettings(cluster, tag, facts?.of(tag));
  });
}

/** Exit 2 naming every setting a tag does not read (unless allowed). */
export function checkSettingsRead(cluster: Cluster, tags: readonly string[], options: ReadCheckOptions): Unread[] {
  const unread = unreadOnTags(cluster, tags, options);
  assertAllRead(cluster.name, unread, options.allowUnread ?? []);
  return unread;
}
