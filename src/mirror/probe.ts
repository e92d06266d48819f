/**
 * Asks the mirrors for every file and image of a plan: at most `concurrency`
 * requests at a time, each with its own deadline, all within one total time
 * limit; what the limit cut off is 'not-checked' (and blocks: an unknown is
 * not a yes). Each URL and reference is asked once, whatever hops need it.
 */
import { mapLimited } from '../util/map-limited.js';
import { probeFile, type FileProbe } from './files.js';
import { probeImage, type ImageProbe, type ImageProbeOptions, type RegistryCredentials } from './registry.js';

export interface MirrorProbeInput {
  files: ReadonlyArray<{ url: string; sha256: string | null }>;
  images: readonly string[];
  /** Download every file and compare its sha256 (else HEAD: status and size). */
  verifyChecksums: boolean;
  credentials?: { registries: ReadonlySet<string>; auth: RegistryCredentials } | undefined;
  insecureRegistries: ReadonlySet<string>;
  ca?: string | undefined;
  limits?: Partial<MirrorLimits>;
  signal?: AbortSignal | undefined;
}

export interface MirrorLimits {
  concurrency: number;
  /** One HEAD, or one token request. */
  requestTimeoutMs: number;
  /** One download (--verify-checksums). */
  downloadTimeoutMs: number;
  /** Everything. */
  totalTimeoutMs: number;
}

export const DEFAULT_MIRROR_LIMITS: MirrorLimits = { concurrency: 8, requestTimeoutMs: 10_000, downloadTimeoutMs: 600_000, totalTimeoutMs: 180_000 };

export interface MirrorProbes {
  files: Map<string, FileProbe>;
  images: Map<string, ImageProbe>;
  /** The total limit ran out before every probe answered. */
  timedOut: boolean;
  limits: MirrorLimits;
  durationMs: number;
}

export async function probeMirror(input: MirrorProbeInput): Promise<MirrorProbes> {
  const limits = { ...DEFAULT_MIRROR_LIMITS, ...(input.verifyChecksums ? { totalTimeoutMs: 1_800_000 } : {}), ...input.limits };
  const started = performance.now();
  const total = new AbortController();
  const timer = setTimeout(() => total.abort(), limits.totalTimeoutMs);
  const signal = input.signal ? AbortSignal.any([input.signal, total.signal]) : total.signal;
  const files = new Map<string, FileProbe>();
  const images = new Map<string, ImageProbe>();
  const imageOptions: ImageProbeOptions = { credentials: input.credentials, insecure: input.insecureRegistries, timeoutMs: limits.requestTimeoutMs, ca: input.ca, signal, tokens: new Map() };
  const uniqueFiles = new Map(input.files.map((file) => [file.url, file.sha256]));
  const tasks: Array<() => Promise<void>> = [
    ...[...uniqueFiles].map(([url, sha256]) => async () => {
      files.set(url, await probeFile(url, { verify: input.verifyChecksums, sha256, timeoutMs: input.verifyChecksums ? limits.downloadTimeoutMs : limits.requestTimeoutMs, ca: input.ca, signal }));
    }),
    ...[...new Set(input.images)].map((ref) => async () => {
      images.set(ref, await probeImage(ref, imageOptions));
    }),
  ];
  try {
    await mapLimited(tasks, limits.concurrency, (task) => task());
  } finally {
    clearTimeout(timer);
  }
  return { files, images, timedOut: total.signal.aborted, limits, durationMs: performance.now() - started };
}
