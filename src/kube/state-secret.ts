/**
 * The run journal, mirrored where every client of the cluster sees it: a
 * Secret `kspray-<cluster>-journal` in kube-system (the journal names hosts
 * and paths: a Secret, not a ConfigMap), as Terraform's kubernetes backend
 * keeps its state. A CI job on a fresh runner reads it back to resume.
 *
 * The journal's JSON is gzipped before base64, as Terraform does: a Secret
 * holds at most 1 MiB of data (kube-apiserver refuses more) and a journal of
 * many hops and hosts is mostly repeated keys, which gzip shrinks tenfold. A
 * journal still too large fails here, before anything is sent, saying so.
 *
 * Writes are conditional on the resourceVersion last seen (a create when
 * there is none); on 409 the Secret is read again and the write retried once.
 * Only the holder of the cluster's lease (lease-lock.ts) should write. A
 * Secret under that name that kspray did not label as this cluster's is
 * never overwritten.
 */
import { createHash } from 'node:crypto';
import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import type { KubeClient } from './client.js';
import { type KubeFailure, type KubeResult, fail, ok } from './result.js';
import { CLUSTER_LABEL, ObjectMetaSchema, STATE_NAMESPACE, clusterLabelValue, decodeObject, isOurs, parseTime, stateMetadata, stateObjectName } from './state-objects.js';

/** kube-apiserver's limit on a Secret's data, decoded. */
export const SECRET_DATA_LIMIT = 1024 * 1024;
/** The data key holding the gzipped journal JSON. */
export const JOURNAL_KEY = 'journal.json.gz';

const ANNOTATION = {
  encoding: 'kspray.io/encoding',
  sha256: 'kspray.io/journal-sha256',
  bytes: 'kspray.io/journal-bytes',
  updatedAt: 'kspray.io/updated-at',
  runId: 'kspray.io/run-id',
} as const;

const SecretSchema = z.object({
  metadata: ObjectMetaSchema,
  data: z.record(z.string(), z.string()).nullish(),
});

export interface StoredJournal {
  /** The journal JSON exactly as written. */
  text: string;
  resourceVersion: string;
  /** When it was written (the writer's clock), as the Secret says. */
  updatedAt: Date | undefined;
  /** The run that wrote it. */
  runId: string | undefined;
  sha256: string;
}

export interface JournalWrite {
  cluster: string;
  /** The journal JSON, as the local journal file holds it. */
  text: string;
  runId?: string;
  /** The resourceVersion this writer's last write answered: a write without a read first. */
  resourceVersion?: string;
  namespace?: string;
  now?: Date;
}

export function journalSecretName(cluster: string): string {
  return stateObjectName(cluster, 'journal');
}

const sha256 = (text: string) => createHash('sha256').update(text, 'utf8').digest('hex');

/** The journal as Secret data (gzip, then base64), or 'too-large' before anything is sent. Pure. */
export function encodeJournal(text: string, limit = SECRET_DATA_LIMIT): { ok: true; data: Record<string, string>; gzipBytes: number } | { ok: false; failure: KubeFailure } {
  const gzipped = gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  if (gzipped.length > limit) {
    return {
      ok: false,
      failure: {
        kind: 'too-large',
        server: undefined,
        message: `the journal is ${Buffer.byteLength(text, 'utf8')} bytes, ${gzipped.length} gzipped: more than the ${limit} bytes a Secret can hold`,
        hint: 'the local journal is complete and kspray goes on from it; archive old runs out of the journal to mirror it in the cluster again',
      },
    };
  }
  return { ok: true, data: { [JOURNAL_KEY]: gzipped.toString('base64') }, gzipBytes: gzipped.length };
}

/** Reads the journal the cluster holds; undefined when it holds none. */
export async function readJournalSecret(client: KubeClient, cluster: string, namespace = STATE_NAMESPACE): Promise<KubeResult<StoredJournal | undefined>> {
  const read = await readSecret(client, cluster, namespace);
  if (!read.ok || read.value === undefined) return read as KubeResult<undefined>;
  const secret = read.value;
  const where = `Secret ${namespace}/${journalSecretName(cluster)}`;
  const corrupt = (why: string) => fail<StoredJournal | undefined>({ kind: 'invalid-response', server: client.server, message: `${where} holds no readable journal: ${why}`, hint: 'kspray goes on from the local journal; delete the Secret to let the next run write it again' });
  const data = secret.data?.[JOURNAL_KEY];
  if (data === undefined) return corrupt(`no ${JOURNAL_KEY} key`);
  let text: string;
  try {
    text = gunzipSync(Buffer.from(data, 'base64')).toString('utf8');
  } catch (error) {
    return corrupt(`not gzip data (${error instanceof Error ? error.message : String(error)})`);
  }
  const annotations = secret.metadata.annotations ?? {};
  const digest = sha256(text);
  const expected = annotations[ANNOTATION.sha256];
  if (expected !== undefined && expected !== digest) return corrupt(`its sha256 is ${digest}, the annotation says ${expected}`);
  return ok({ text, resourceVersion: secret.metadata.resourceVersion, updatedAt: parseTime(annotations[ANNOTATION.updatedAt]), runId: annotations[ANNOTATION.runId], sha256: digest });
}

/** Writes the journal into the cluster; answers the new resourceVersion (pass it as `resourceVersion` next time). */
export async function writeJournalSecret(client: KubeClient, write: JournalWrite): Promise<KubeResult<{ resourceVersion: string; gzipBytes: number }>> {
  const namespace = write.namespace ?? STATE_NAMESPACE;
  const name = journalSecretName(write.cluster);
  const encoded = encodeJournal(write.text);
  if (!encoded.ok) return fail({ ...encoded.failure, server: client.server });
  const collection = `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
  const path = `${collection}/${encodeURIComponent(name)}`;
  const common = stateMetadata(write.cluster);
  const body = (resourceVersion: string | undefined) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    type: 'Opaque',
    metadata: {
      name,
      namespace,
      ...(resourceVersion === undefined ? {} : { resourceVersion }),
      labels: common.labels,
      annotations: {
        ...common.annotations,
        [ANNOTATION.encoding]: 'gzip',
        [ANNOTATION.sha256]: sha256(write.text),
        [ANNOTATION.bytes]: String(Buffer.byteLength(write.text, 'utf8')),
        [ANNOTATION.updatedAt]: (write.now ?? new Date()).toISOString(),
        ...(write.runId === undefined ? {} : { [ANNOTATION.runId]: write.runId }),
      },
    },
    data: encoded.data,
  });
  const send = (resourceVersion: string | undefined) => (resourceVersion === undefined ? client.post(collection, body(undefined)) : client.put(path, body(resourceVersion)));
  /** The resourceVersion to write on, from what is stored now (undefined: create). */
  const current = async (): Promise<KubeResult<string | undefined>> => {
    const read = await readSecret(client, write.cluster, namespace);
    return read.ok ? ok(read.value?.metadata.resourceVersion) : read;
  };

  let base: KubeResult<string | undefined> = write.resourceVersion === undefined ? await current() : ok(write.resourceVersion);
  if (!base.ok) return base;
  let sent = await send(base.value);
  if (!sent.ok && (sent.error.kind === 'conflict' || sent.error.kind === 'not-found')) {
    // Someone wrote (or deleted) it since: read again, write once more.
    base = await current();
    if (!base.ok) return base;
    sent = await send(base.value);
  }
  if (!sent.ok) return sent;
  const stored = decodeObject(SecretSchema, sent.value, client.server, `Secret ${namespace}/${name}`);
  return stored.ok ? ok({ resourceVersion: stored.value.metadata.resourceVersion, gzipBytes: encoded.gzipBytes }) : stored;
}

/** The Secret, if there is one and it is kspray's for this cluster; one that is not is a failure (never read or overwritten). */
async function readSecret(client: KubeClient, cluster: string, namespace: string): Promise<KubeResult<z.infer<typeof SecretSchema> | undefined>> {
  const name = journalSecretName(cluster);
  const got = await client.getJson(`/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets/${encodeURIComponent(name)}`);
  if (!got.ok) return got.error.kind === 'not-found' ? ok(undefined) : got;
  const secret = decodeObject(SecretSchema, got.value, client.server, `Secret ${namespace}/${name}`);
  if (!secret.ok) return secret;
  if (!isOurs(secret.value.metadata, cluster)) {
    return fail({
      kind: 'conflict',
      server: client.server,
      message: `Secret ${namespace}/${name} exists but is not kspray's journal of cluster ${cluster}: it has no ${CLUSTER_LABEL}=${clusterLabelValue(cluster)} label`,
      hint: 'kspray will not overwrite it: rename or delete that Secret',
    });
  }
  return ok(secret.value);
}
