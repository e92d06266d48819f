/**
 * kspray's bundled Kubernetes facts (data/kubernetes): which APIs each minor
 * stops serving, and the version-skew rules. Read once, validated with zod
 * (loosely: extra fields are the data's business), handed to pure checks as
 * plain values so tests can pass their own.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { dataDir } from '../util/paths.js';

const minor = z.string().regex(/^1\.\d+$/);

const removedApi = z.looseObject({
  group: z.string(),
  version: z.string(),
  kind: z.string(),
  deprecatedIn: minor.nullable().optional(),
  removedIn: minor,
  replacement: z.string().nullable().optional(),
  replacementAvailableIn: minor.nullable().optional(),
  note: z.string().optional(),
});
export type RemovedApi = z.infer<typeof removedApi>;

const removedApisDocument = z.looseObject({ apis: z.array(removedApi) });

const kubeletEra = z.looseObject({
  apiserverMinorMax: minor.optional(),
  apiserverMinorFrom: minor.optional(),
  maxMinorsOlder: z.number().int().nonnegative(),
  condition: z.string().optional(),
});

const kubeadmKubeletRule = z.looseObject({
  kubeadmMinorMax: minor.optional(),
  kubeadmMinorFrom: minor.optional(),
  maxKubeletMinorsBehindKubeadm: z.number().int().nonnegative(),
});

const versionSkewDocument = z.looseObject({
  kubeadmUpgrade: z.looseObject({
    maxMinorStepPerUpgrade: z.number().int().positive(),
    kubeletSkewCheck: z.array(kubeadmKubeletRule),
  }),
  componentSkew: z.looseObject({
    kubeApiserverHA: z.looseObject({ maxMinorSpreadBetweenInstances: z.number().int().nonnegative() }),
    kubeletVsApiserver: z.looseObject({
      kubeletNewerThanApiserverAllowed: z.boolean(),
      eras: z.array(kubeletEra),
    }),
  }),
});
export type VersionSkew = z.infer<typeof versionSkewDocument>;
export type KubeletEra = z.infer<typeof kubeletEra>;
export type KubeadmKubeletRule = z.infer<typeof kubeadmKubeletRule>;

let removedMemo: RemovedApi[] | undefined;
let skewMemo: VersionSkew | undefined;

function readJson(name: string): unknown {
  return JSON.parse(readFileSync(join(dataDir, 'kubernetes', name), 'utf8')) as unknown;
}

/** data/kubernetes/removed-apis.json `apis[]`. */
export function loadRemovedApis(): RemovedApi[] {
  removedMemo ??= removedApisDocument.parse(readJson('removed-apis.json')).apis;
  return removedMemo;
}

/** data/kubernetes/version-skew.json. */
export function loadVersionSkew(): VersionSkew {
  skewMemo ??= versionSkewDocument.parse(readJson('version-skew.json'));
  return skewMemo;
}
