import { describe, expect, it } from 'vitest';
import { UsageError } from '../util/errors.js';
import { buildDisruptionFacts, pdbBudget } from './waves-budget.js';
import { hardestFirst } from './waves-order.js';
import { firstFit } from './waves-pack.js';
import { pdbBreaches, validateWaves } from './waves-validate.js';
import { planWaves, resolveWaveCap, type WaveOptions, type WavePdb, type WavePod, type WaveWorker } from './waves.js';
import { prng } from '../../test/helpers/prng.js';

// ---- builders ---------------------------------------------------------------

const workers = (...names: string[]): WaveWorker[] => names.map((name) => ({ name }));

function pod(nodeName: string, app: string, opts: { ns?: string; healthy?: boolean; name?: string; labels?: Record<string, string> } = {}): WavePod {
  return {
    namespace: opts.ns ?? 'default',
    name: opts.name ?? `${app}-${nodeName}`,
    nodeName,
    labels: opts.labels ?? { app },
    healthy: opts.healthy ?? true,
  };
}

function pdb(name: string, app: string, budget: Pick<WavePdb, 'minAvailable' | 'maxUnavailable'>, ns = 'default'): WavePdb {
  return { namespace: ns, name, selector: { matchLabels: { app } }, ...budget };
}

/** Plan, check with the independent validator, and return the plan. */
function planChecked(w: WaveWorker[], p: WavePod[], b: WavePdb[], options: WaveOptions = {}) {
  const plan = planWaves(w, p, b, options);
  expect(validateWaves(w, p, b, plan.waves, options)).toEqual([]);
  expect(plan.achieved).toBe(plan.waves.length);
  expect(plan.achieved).toBeGreaterThanOrEqual(plan.lowerBound);
  return plan;
}

const waveOf = (waves: string[][], name: string): number => waves.findIndex((w) => w.includes(name));

// ---- hand-checked cases -----------------------------------------------------

describe('planWaves: PDB separation', () => {
  it('puts the 3 nodes of a PDB allowing 1 in 3 different waves', () => {
    const w = workers('n1', 'n2', 'n3', 'n4');
    const pods = ['n1', 'n2', 'n3'].map((n) => pod(n, 'web'));
    const pdbs = [pdb('web', 'web', { maxUnavailable: 1 })];

    const plan = planChecked(w, pods, pdbs, { canary: 0 });

    const at = ['n1', 'n2', 'n3'].map((n) => waveOf(plan.waves, n));
    expect(new Set(at).size).toBe(3);
    expect(plan.achieved).toBe(3);
    expect(plan.lowerBound).toBe(3);
    expect(plan.blocked).toEqual([]);
  });

  it('lets a wave take as many pods of a PDB as it allows, and no more', () => {
    // 6 replicas on 6 nodes, minAvailable 4 → 2 disruptions per wave → 3 waves.
    const w = workers('n1', 'n2', 'n3', 'n4', 'n5', 'n6');
    const pods = w.map((x) => pod(x.name, 'api'));
    const plan = planChecked(w, pods, [pdb('api', 'api', { minAvailable: 4 })], { canary: 0 });

    expect(plan.waves.map((x) => x.length)).toEqual([2, 2, 2]);
    expect(plan.lowerBound).toBe(3);
  });

  it('counts several covered pods on one node against the same budget', () => {
    // n1 holds 2 of the 4 pods; allowed 2: n1 alone fills a wave for this PDB.
    const w = workers('n1', 'n2', 'n3');
    const pods = [pod('n1', 'db', { name: 'db-0' }), pod('n1', 'db', { name: 'db-1' }), pod('n2', 'db'), pod('n3', 'db')];
    const plan = planChecked(w, pods, [pdb('db', 'db', { maxUnavailable: 2 })], { canary: 0 });

    expect(plan.waves).toContainEqual(['n1']);
    expect(plan.achieved).toBe(2);
  });

  it('blocks a node holding more pods of a PDB than it allows, and drains it last, alone', () => {
    const w = workers('n1', 'n2', 'n3');
    const pods = [pod('n1', 'db', { name: 'db-0' }), pod('n1', 'db', { name: 'db-1' }), pod('n2', 'db'), pod('n3', 'web')];
    const plan = planChecked(w, pods, [pdb('db', 'db', { maxUnavailable: 1 })]);

    expect(plan.blocked).toHaveLength(1);
    expect(plan.blocked[0]).toMatchObject({ pdb: 'default/db', nodes: ['n1'] });
    expect(plan.blocked[0]!.reason).toContain('a node holds 2 of its pods, more than may go at once');
    expect(plan.waves[plan.waves.length - 1]).toEqual(['n1']);
  });
});

describe('planWaves: the field notes PDBs (k1)', () => {
  const k1 = workers('k1-node01', 'k1-node02', 'k1-node03', 'k1-node04', 'k1-node05');
  const istio: Array<[string, string]> = [
    ['istio-ingressgateway', 'k1-node01'],
    ['istio-pilot', 'k1-node02'],
    ['istio-policy', 'k1-node02'],
    ['istio-telemetry', 'k1-node03'],
    ['istio-galley', 'k1-node04'],
    ['istio-sidecar-injector', 'k1-node04'],
  ];
  const istioPods = istio.map(([app, node]) => pod(node, app, { ns: 'istio-system' }));
  const istioPdbs = istio.map(([app]) => pdb(app, app, { minAvailable: 1 }, 'istio-system'));
  // elasticsearch: 3 data pods, one not ready, maxUnavailable 1 already used.
  const esPods = ['k1-node03', 'k1-node04', 'k1-node05'].map((n, i) =>
    pod(n, 'es', { ns: 'logging', name: `es-data-${i}`, healthy: n !== 'k1-node05' }),
  );
  const esPdb = pdb('elasticsearch', 'es', { maxUnavailable: 1 }, 'logging');

  it('reports the six single-replica istio PDBs and the used-up elasticsearch PDB as blocked', () => {
    const plan = planChecked(k1, [...istioPods, ...esPods], [...istioPdbs, esPdb]);

    expect(plan.blocked.map((b) => b.pdb).sort()).toEqual([...istio.map(([a]) => `istio-system/${a}`), 'logging/elasticsearch'].sort());
    const galley = plan.blocked.find((b) => b.pdb === 'istio-system/istio-galley')!;
    expect(galley.nodes).toEqual(['k1-node04']);
    expect(galley.reason).toMatch(/minAvailable 1: 1\/1 pods healthy, 0 disruption\(s\) allowed; .*scale the workload up/);
    const es = plan.blocked.find((b) => b.pdb === 'logging/elasticsearch')!;
    expect(es.nodes).toEqual(['k1-node03', 'k1-node04', 'k1-node05']);
    expect(es.reason).toMatch(/maxUnavailable 1: 2\/3 pods healthy, 0 disruption\(s\) allowed; .*make its pods healthy first/);
    // Every worker is blocked: five single-node waves, and no safe canary.
    expect(plan.waves).toEqual([['k1-node01'], ['k1-node02'], ['k1-node03'], ['k1-node04'], ['k1-node05']]);
    expect(plan.lowerBound).toBe(5);
    expect(plan.notes.join('\n')).toContain('no safe canary');
  });

  it('with the istio PDBs fixed, drains the free nodes first and the elasticsearch nodes last', () => {
    const fixed = istio.map(([app]) => pdb(app, app, { maxUnavailable: 1 }, 'istio-system'));
    const plan = planChecked(k1, [...istioPods, ...esPods], [...fixed, esPdb]);

    expect(plan.blocked.map((b) => b.pdb)).toEqual(['logging/elasticsearch']);
    expect(plan.waves.slice(-3)).toEqual([['k1-node03'], ['k1-node04'], ['k1-node05']]);
    expect(plan.waves.slice(0, -3).flat().sort()).toEqual(['k1-node01', 'k1-node02']);
    expect(plan.achieved).toBe(5); // canary + one wave + three blocked
    expect(plan.lowerBound).toBe(5);
  });
});

describe('planWaves: caps, zones, canary', () => {
  const ten = workers(...Array.from({ length: 10 }, (_, i) => `w${i}`));

  it('caps waves at maxUnavailable N', () => {
    const plan = planChecked(ten, [], [], { maxUnavailable: 3 });
    expect(plan.waves.map((w) => w.length)).toEqual([1, 3, 3, 3]);
    expect(plan.lowerBound).toBe(4);
  });

  it('caps waves at maxUnavailable P% of the workers, rounded down', () => {
    const plan = planChecked(ten, [], [], { maxUnavailable: '25%' });
    expect(Math.max(...plan.waves.map((w) => w.length))).toBe(2);
    expect(plan.achieved).toBe(6); // canary + ⌈9/2⌉
    expect(plan.lowerBound).toBe(6);
  });

  it('resolves the cap and rejects nonsense', () => {
    expect(resolveWaveCap('20%', 7)).toBe(1);
    expect(resolveWaveCap('20%', 500)).toBe(100);
    expect(resolveWaveCap('5', 500)).toBe(5);
    expect(resolveWaveCap(undefined, 5)).toBe(Number.POSITIVE_INFINITY);
    for (const bad of [0, -1, 1.5, '0%', 'abc', '150%', '']) {
      expect(() => resolveWaveCap(bad, 10)).toThrow(UsageError);
    }
  });

  it('says when nothing caps the waves', () => {
    const plan = planChecked(ten, [], []);
    expect(plan.waves.map((w) => w.length)).toEqual([1, 9]);
    expect(plan.notes.join('\n')).toContain('no maxUnavailable cap');
  });

  it('never puts two nodes of one zone in a wave with oneNodePerZone', () => {
    const zoned: WaveWorker[] = [
      ...['a1', 'a2', 'a3', 'a4'].map((name) => ({ name, zone: 'a' })),
      ...['b1', 'b2', 'b3'].map((name) => ({ name, zone: 'b' })),
      ...['c1', 'c2'].map((name) => ({ name, zone: 'c' })),
    ];
    const plan = planChecked(zoned, [], [], { oneNodePerZone: true });

    for (const wave of plan.waves) {
      const zones = wave.map((n) => n[0]);
      expect(new Set(zones).size).toBe(zones.length);
    }
    // The largest zone (4 nodes) sets the bound; the canary comes from it.
    expect(plan.lowerBound).toBe(4);
    expect(plan.achieved).toBe(4);
    expect(plan.waves[0]![0]![0]).toBe('a');
  });

  it('chooses the canary touching fewest PDB-covered pods', () => {
    const w = workers('busy', 'quiet', 'medium');
    const pods = [pod('busy', 'a'), pod('busy', 'b'), pod('medium', 'a'), pod('quiet', 'c')];
    const pdbs = [pdb('a', 'a', { maxUnavailable: 1 }), pdb('b', 'b', { maxUnavailable: 1 })];

    const plan = planChecked(w, pods, pdbs);

    expect(plan.waves[0]).toEqual(['quiet']);
  });

  it('takes `canary` nodes into the canary wave, and none with canary 0', () => {
    const two = planChecked(ten, [], [], { canary: 2, maxUnavailable: 4 });
    expect(two.waves[0]).toHaveLength(2);
    const none = planChecked(ten, [], [], { canary: 0, maxUnavailable: 5 });
    expect(none.waves.map((w) => w.length)).toEqual([5, 5]);
  });

  it('honours explicit canary nodes, moving out one that a PDB blocks', () => {
    const w = workers('n1', 'n2', 'n3');
    const pods = [pod('n2', 'solo')];
    const pdbs = [pdb('solo', 'solo', { minAvailable: 1 })];

    const plan = planChecked(w, pods, pdbs, { canaryNodes: ['n2', 'n3'] });

    expect(plan.waves[0]).toEqual(['n3']);
    expect(plan.waves[plan.waves.length - 1]).toEqual(['n2']);
    expect(plan.notes.join('\n')).toMatch(/canary node\(s\) n2 moved out/);
  });

  it('rejects unknown or repeated names', () => {
    expect(() => planWaves(workers('n1'), [], [], { canaryNodes: ['nope'] })).toThrow(UsageError);
    expect(() => planWaves(workers('n1', 'n1'), [], [])).toThrow(UsageError);
    expect(() => planWaves(workers('n1'), [], [], { canary: -1 })).toThrow(UsageError);
    expect(() => planWaves(workers('n1', 'n2'), [], [], { canaryNodes: ['n2', 'n2'] })).toThrow(/n2 is listed twice/);
  });

  it('plans an empty worker list as no waves', () => {
    expect(planWaves([], [], [])).toMatchObject({ waves: [], achieved: 0, lowerBound: 0 });
  });
});

describe('planWaves: selectors and budgets', () => {
  it('reads {} as every pod of the namespace and null as none', () => {
    const w = workers('n1', 'n2');
    const pods = [pod('n1', 'x', { ns: 'team' }), pod('n2', 'y', { ns: 'team' }), pod('n2', 'z', { ns: 'other' })];
    const all: WavePdb = { namespace: 'team', name: 'all', selector: {}, maxUnavailable: 1 };
    const none: WavePdb = { namespace: 'team', name: 'none', selector: null, maxUnavailable: 0 };

    const plan = planChecked(w, pods, [all, none], { canary: 0 });

    expect(plan.achieved).toBe(2); // {} covers both nodes' team pods, allowing 1
    expect(plan.blocked).toEqual([]); // null selected nothing: no blocking
  });

  it('applies matchExpressions (In, NotIn, Exists, DoesNotExist)', () => {
    const w = workers('n1', 'n2', 'n3', 'n4');
    const pods = [
      pod('n1', 'a', { labels: { app: 'a', tier: 'fe' } }),
      pod('n2', 'b', { labels: { app: 'b', tier: 'be' } }),
      pod('n3', 'c', { labels: { app: 'c' } }),
      pod('n4', 'd', { labels: { app: 'd', tier: 'fe', canary: 'yes' } }),
    ];
    const sel = (matchExpressions: NonNullable<WavePdb['selector']>['matchExpressions']): WavePdb => ({
      namespace: 'default',
      name: 'p',
      selector: { matchExpressions },
      minAvailable: '100%',
    });
    const blockedNodes = (p: WavePdb): string[] => planChecked(w, pods, [p]).blocked.flatMap((b) => b.nodes);

    expect(blockedNodes(sel([{ key: 'tier', operator: 'In', values: ['fe'] }]))).toEqual(['n1', 'n4']);
    expect(blockedNodes(sel([{ key: 'tier', operator: 'NotIn', values: ['fe'] }]))).toEqual(['n2', 'n3']);
    expect(blockedNodes(sel([{ key: 'tier', operator: 'Exists' }]))).toEqual(['n1', 'n2', 'n4']);
    expect(blockedNodes(sel([{ key: 'canary', operator: 'DoesNotExist' }, { key: 'tier', operator: 'Exists' }]))).toEqual(['n1', 'n2']);
    // Kubernetes rejects In without values: such a selector guards nothing.
    expect(blockedNodes(sel([{ key: 'tier', operator: 'In', values: [] }]))).toEqual([]);
  });

  it('computes allowed disruptions as the disruption controller does', () => {
    const b = (budget: Pick<WavePdb, 'minAvailable' | 'maxUnavailable'>, expected: number, healthy: number): number =>
      pdbBudget({ namespace: 'n', name: 'p', selector: {}, ...budget }, expected, healthy).allowed;
    expect(b({ minAvailable: 1 }, 1, 1)).toBe(0); // single replica: nothing may go
    expect(b({ minAvailable: 2 }, 5, 5)).toBe(3);
    expect(b({ minAvailable: '50%' }, 3, 3)).toBe(1); // ⌈1.5⌉ = 2 must stay
    expect(b({ maxUnavailable: 1 }, 3, 2)).toBe(0); // already used by the unhealthy pod
    expect(b({ maxUnavailable: '34%' }, 3, 3)).toBe(2); // ⌈1.02⌉ = 2
    expect(b({ maxUnavailable: '10%' }, 5, 5)).toBe(1); // rounded up, not down to 0
    expect(b({ maxUnavailable: 10 }, 3, 3)).toBe(3); // never more than the healthy pods
    expect(b({ minAvailable: 5 }, 3, 3)).toBe(0); // never below 0
    expect(b({ minAvailable: '5' }, 3, 3)).toBe(0); // not a percent string: fail safe
    expect(b({}, 3, 3)).toBe(0); // neither field: the controller fails closed
    expect(b({ minAvailable: 1, maxUnavailable: 1 }, 4, 4)).toBe(1); // both: the stricter
  });

  it('notes pods covered by two PDBs, which the eviction API refuses', () => {
    const w = workers('n1', 'n2');
    const pods = [pod('n1', 'web'), pod('n2', 'web')];
    const pdbs = [pdb('one', 'web', { maxUnavailable: 1 }), { ...pdb('two', 'web', { maxUnavailable: 1 }), selector: {} }];

    const plan = planChecked(w, pods, pdbs);

    expect(plan.notes.join('\n')).toMatch(/2 pod\(s\) on workers are selected by more than one PDB.*default\/web-n1 on n1 \(default\/one, default\/two\)/);
  });

  it('ignores pods on nodes that are not workers, but counts them in the budget', () => {
    // 3 replicas, one on a control-plane node; maxUnavailable 1 → workers n1, n2 apart.
    const w = workers('n1', 'n2');
    const pods = [pod('n1', 'web'), pod('n2', 'web'), pod('cp1', 'web')];
    const plan = planChecked(w, pods, [pdb('web', 'web', { maxUnavailable: 1 })], { canary: 0 });
    expect(plan.achieved).toBe(2);
  });
});

describe('validateWaves', () => {
  const w: WaveWorker[] = [{ name: 'n1', zone: 'a' }, { name: 'n2', zone: 'a' }, { name: 'n3' }];
  const pods = [pod('n1', 'web'), pod('n2', 'web')];
  const pdbs = [pdb('web', 'web', { maxUnavailable: 1 })];

  it('accepts a valid plan', () => {
    expect(validateWaves(w, pods, pdbs, [['n3'], ['n1'], ['n2']], {})).toEqual([]);
  });

  it('reports a missing node, a repeated node, an unknown node and an empty wave', () => {
    const problems = validateWaves(w, pods, pdbs, [['n1'], ['n1', 'x'], []], {});
    expect(problems).toEqual(
      expect.arrayContaining(['wave 3 is empty', 'wave 2: x is not a worker', 'n1 is in wave 1 and again in wave 2', 'n2 is in no wave', 'n3 is in no wave']),
    );
  });

  it('reports a broken PDB, the cap, the canary size and a zone clash', () => {
    expect(validateWaves(w, pods, pdbs, [['n3'], ['n1', 'n2']], {})).toEqual([
      'wave 2 drains 2 pods of PDB default/web, which allows 1',
    ]);
    expect(validateWaves(w, [], [], [['n3'], ['n1', 'n2']], { maxUnavailable: 1 })).toEqual([
      'wave 2 has 2 nodes, more than the cap of 1',
    ]);
    expect(validateWaves(w, [], [], [['n3', 'n1'], ['n2']], { canary: 1 })).toEqual(['the canary wave has 2 nodes, more than 1']);
    expect(validateWaves(w, [], [], [['n3'], ['n1', 'n2']], { oneNodePerZone: true })).toEqual(['wave 2 has two nodes in zone a']);
  });

  it('accepts an unavoidable single-node wave only after every other wave', () => {
    const solo = [pdb('solo', 'web', { minAvailable: 2 })]; // 2 of 2 must stay: nothing may go
    expect(validateWaves(w, pods, solo, [['n3'], ['n1'], ['n2']], {})).toEqual([]);
    expect(validateWaves(w, pods, solo, [['n1'], ['n3'], ['n2']], {})).toEqual([
      'wave 2 comes after wave 1, which cannot drain cleanly (blocked nodes go last)',
    ]);
  });
});

// ---- randomized -------------------------------------------------------------

interface Case {
  workers: WaveWorker[];
  pods: WavePod[];
  pdbs: WavePdb[];
  options: WaveOptions;
}

function randomCase(rand: () => number, maxWorkers: number, allowExplicitCanary: boolean): Case {
  const int = (lo: number, hi: number): number => lo + Math.floor(rand() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  const n = int(1, maxWorkers);
  const zones = int(0, 3);
  const workers: WaveWorker[] = Array.from({ length: n }, (_, i) =>
    zones > 0 && rand() < 0.9 ? { name: `w${i}`, zone: `z${int(1, zones)}` } : { name: `w${i}` },
  );
  const nodes = [...workers.map((w) => w.name), 'cp1', ''];
  const apps = ['a', 'b', 'c', 'd'];
  const pods: WavePod[] = Array.from({ length: int(0, n * 4) }, (_, i) => {
    const labels: Record<string, string> = { app: pick(apps) };
    if (rand() < 0.5) labels.tier = pick(['fe', 'be']);
    return { namespace: pick(['ns1', 'ns2']), name: `p${i}`, nodeName: pick(nodes), labels, healthy: rand() < 0.9 };
  });
  const value = (): number | string => (rand() < 0.6 ? int(0, 4) : `${pick([0, 10, 25, 34, 50, 75, 100])}%`);
  // Up to 10 PDBs over 2 namespaces: more than 4 in a namespace switches the planner to its label index.
  const pdbs: WavePdb[] = Array.from({ length: int(0, 10) }, (_, i) => {
    const r = rand();
    const selector: WavePdb['selector'] =
      r < 0.4 ? { matchLabels: { app: pick(apps) } }
      : r < 0.5 ? { matchExpressions: [{ key: 'app', operator: 'In', values: [pick(apps), pick(apps), pick(apps)] }] }
      : r < 0.65 ? { matchExpressions: [{ key: 'tier', operator: pick(['In', 'NotIn'] as const), values: [pick(['fe', 'be'])] }] }
      : r < 0.75 ? { matchLabels: { app: pick(apps) }, matchExpressions: [{ key: 'tier', operator: pick(['Exists', 'DoesNotExist'] as const) }] }
      : r < 0.9 ? {}
      : null;
    const kind = rand();
    const budget = kind < 0.45 ? { minAvailable: value() } : kind < 0.9 ? { maxUnavailable: value() } : kind < 0.95 ? {} : { minAvailable: value(), maxUnavailable: value() };
    return { namespace: pick(['ns1', 'ns2']), name: `pdb${i}`, selector, ...budget };
  });
  const options: WaveOptions = {};
  if (rand() < 0.7) options.canary = int(0, 3);
  if (rand() < 0.6) options.maxUnavailable = rand() < 0.5 ? int(1, 4) : `${int(10, 60)}%`;
  if (rand() < 0.4) options.oneNodePerZone = true;
  if (allowExplicitCanary && rand() < 0.2) options.canaryNodes = [...new Set([pick(workers).name, pick(workers).name])];
  return { workers, pods, pdbs, options };
}

/**
 * The true optimum by exhaustive search, from the validator's own PDB check: a
 * node that breaks a PDB alone takes a wave of its own; the others are split
 * into waves that break nothing, meet the cap and the zone rule, one of them no
 * larger than the canary.
 */
function bruteForceOptimum(c: Case): number {
  const cap = resolveWaveCap(c.options.maxUnavailable, c.workers.length);
  const canary = c.options.canary ?? 1;
  const lone = c.workers.filter((w) => pdbBreaches(c.pods, c.pdbs, [w.name]).length > 0);
  const rest = c.workers.filter((w) => !lone.includes(w));
  if (rest.length === 0) return lone.length;
  const okCache = new Map<string, boolean>();
  const ok = (wave: WaveWorker[]): boolean => {
    const key = wave.map((w) => w.name).join(',');
    let v = okCache.get(key);
    if (v === undefined) {
      const zones = wave.map((w) => w.zone).filter((z) => z !== undefined);
      v =
        wave.length <= cap &&
        (!c.options.oneNodePerZone || new Set(zones).size === zones.length) &&
        pdbBreaches(c.pods, c.pdbs, wave.map((w) => w.name)).length === 0;
      okCache.set(key, v);
    }
    return v;
  };
  let best = Number.POSITIVE_INFINITY;
  const waves: WaveWorker[][] = [];
  const place = (i: number): void => {
    if (waves.length >= best) return;
    if (i === rest.length) {
      if (canary === 0 || waves.some((w) => w.length <= canary)) best = waves.length;
      return;
    }
    for (const wave of waves) {
      wave.push(rest[i]!);
      if (ok(wave)) place(i + 1);
      wave.pop();
    }
    waves.push([rest[i]!]);
    place(i + 1);
    waves.pop();
  };
  place(0);
  return lone.length + best;
}

describe('planWaves: randomized', () => {
  it('produces valid plans with achieved ≥ lowerBound on 400 small clusters', () => {
    const rand = prng(20240611);
    for (let i = 0; i < 400; i++) {
      const c = randomCase(rand, 25, true);
      const plan = planWaves(c.workers, c.pods, c.pdbs, c.options);
      const problems = validateWaves(c.workers, c.pods, c.pdbs, plan.waves, c.options);
      expect(problems, `case ${i}: ${JSON.stringify(c)}`).toEqual([]);
      expect(plan.achieved).toBe(plan.waves.length);
      expect(plan.achieved, `case ${i}`).toBeGreaterThanOrEqual(plan.lowerBound);
      // Blocked nodes are exactly the ones that break a PDB alone (independent check).
      const lone = c.workers.filter((w) => pdbBreaches(c.pods, c.pdbs, [w.name]).length > 0).map((w) => w.name);
      expect(new Set(plan.blocked.flatMap((b) => b.nodes)), `case ${i}`).toEqual(new Set(lone));
    }
  });

  it('never puts the lower bound above the true optimum (exhaustive search, 300 tiny clusters)', () => {
    const rand = prng(7);
    let optimal = 0;
    for (let i = 0; i < 300; i++) {
      const c = randomCase(rand, 7, false);
      const plan = planWaves(c.workers, c.pods, c.pdbs, c.options);
      const optimum = bruteForceOptimum(c);
      expect(plan.lowerBound, `case ${i}: ${JSON.stringify(c)}`).toBeLessThanOrEqual(optimum);
      expect(plan.achieved, `case ${i}`).toBeGreaterThanOrEqual(optimum);
      if (plan.achieved === optimum) optimal++;
    }
    // Not a promise of optimality, but a heuristic this far off would be a regression.
    expect(optimal).toBeGreaterThan(240);
  });
});

describe('planWaves: dense clusters (every pod PDB-covered)', () => {
  /** Apps of 6 replicas on distinct nodes, 10 pods a node, each app with a PDB allowing 1 or 2. */
  function denseCase(rand: () => number, n: number): Case {
    const workers = Array.from({ length: n }, (_, i) => ({ name: `w${i}` }));
    const pods: WavePod[] = [];
    const pdbs: WavePdb[] = [];
    const free = new Array<number>(n).fill(10);
    for (let a = 0; free.filter((f) => f > 0).length >= 6; a++) {
      const open = free.flatMap((f, i) => (f > 0 ? [i] : []));
      for (let r = 0; r < 6; r++) {
        const i = open.splice(Math.floor(rand() * open.length), 1)[0]!;
        free[i]!--;
        pods.push({ namespace: 'apps', name: `a${a}-${r}`, nodeName: `w${i}`, labels: { app: `a${a}` }, healthy: true });
      }
      pdbs.push({ namespace: 'apps', name: `a${a}`, selector: { matchLabels: { app: `a${a}` } }, maxUnavailable: rand() < 0.5 ? 1 : 2 });
    }
    return { workers, pods, pdbs, options: { canary: 0 } };
  }

  it('plans them validly, with fewer waves than plain first fit on some', () => {
    const rand = prng(99);
    let better = 0;
    for (let i = 0; i < 15; i++) {
      const c = denseCase(rand, 60);
      const plan = planWaves(c.workers, c.pods, c.pdbs, c.options);
      expect(validateWaves(c.workers, c.pods, c.pdbs, plan.waves, c.options)).toEqual([]);
      expect(plan.blocked).toEqual([]);

      const facts = buildDisruptionFacts(c.workers, c.pods, c.pdbs);
      const input = { zone: new Int32Array(60).fill(-1), oneNodePerZone: false, cap: Infinity, loads: facts.loads, allowed: facts.allowed };
      const all = c.workers.map((_, n) => n);
      const plainFirstFit = firstFit(input, hardestFirst(input, all)).compact().length;
      expect(plan.achieved).toBeLessThanOrEqual(plainFirstFit);
      if (plan.achieved < plainFirstFit) better++;
    }
    expect(better).toBeGreaterThan(0); // DSatur earns its keep
  });
});
