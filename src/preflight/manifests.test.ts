import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { scanManifestDir } from './manifests.js';

let dir: string;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'kspray-manifests-'));
});

afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('scanManifestDir', () => {
  it('finds every object with its file and line: multi-doc YAML, List, JSON, helm template output, subdirectories', async () => {
    await writeFile(join(dir, 'app.yaml'), [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: web',
      '  namespace: shop',
      '---',
      '# a comment',
      'apiVersion: extensions/v1beta1',
      'kind: Ingress',
      'metadata:',
      '  name: web',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'list.yml'), [
      'apiVersion: v1',
      'kind: List',
      'items:',
      '- apiVersion: policy/v1beta1',
      '  kind: PodDisruptionBudget',
      '  metadata: {name: web}',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'crd.json'), JSON.stringify({ apiVersion: 'apiextensions.k8s.io/v1beta1', kind: 'CustomResourceDefinition', metadata: { name: 'x.example.com' } }, null, 2));
    await mkdir(join(dir, 'rendered'));
    await writeFile(join(dir, 'rendered', 'chart.yaml'), [
      '---',
      '# Source: shop/templates/ingress.yaml',
      'apiVersion: networking.k8s.io/v1beta1',
      'kind: Ingress',
      'metadata:',
      '  name: shop',
      '',
    ].join('\n'));
    await writeFile(join(dir, 'README.md'), 'apiVersion: not/a-manifest\nkind: Ignored\n');

    const scan = await scanManifestDir(dir);

    expect(scan.skipped).toEqual([]);
    expect(scan.docs.map((d) => [d.file.slice(dir.length + 1), d.line, d.apiVersion, d.kind, d.name, d.namespace, d.helmSource])).toEqual([
      ['app.yaml', 1, 'apps/v1', 'Deployment', 'web', 'shop', undefined],
      ['app.yaml', 8, 'extensions/v1beta1', 'Ingress', 'web', undefined, undefined],
      ['crd.json', 1, 'apiextensions.k8s.io/v1beta1', 'CustomResourceDefinition', 'x.example.com', undefined, undefined],
      ['list.yml', 4, 'policy/v1beta1', 'PodDisruptionBudget', 'web', undefined, undefined],
      ['rendered/chart.yaml', 3, 'networking.k8s.io/v1beta1', 'Ingress', 'shop', undefined, 'shop/templates/ingress.yaml'],
    ]);
  });

  it('skips an unrendered template with a reason and keeps going', async () => {
    await writeFile(join(dir, 'a-template.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Values.name }\n  labels: [\n');
    await writeFile(join(dir, 'b.yaml'), 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: ok\n');

    const scan = await scanManifestDir(dir);

    expect(scan.skipped).toHaveLength(1);
    expect(scan.skipped[0]?.file).toContain('a-template.yaml');
    expect(scan.docs.map((d) => d.name)).toEqual(['ok']);
  });
});
