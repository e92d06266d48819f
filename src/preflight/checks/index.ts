/**
 * Every preflight check kspray runs, in the order reports list them: the one
 * list that drives gathering, evaluation, `--skip-check`, the help and the
 * README table (check-module.ts). A new check is a file here and a line below.
 */
import type { PreflightCheck } from '../check-module.js';
import { ansibleCheck } from './ansible.js';
import { apiEndpointsCheck } from './api-endpoints.js';
import { clusterApiCheck } from './cluster-api.js';
import { dnsCheck } from './dns.js';
import { etcdHealthCheck } from './etcd-health.js';
import { kubeadmDryRunCheck } from './kubeadm-dry-run.js';
import { mirrorCheck } from './mirror.js';
import { nodesCheck } from './nodes.js';
import { pdbCheck } from './pdb.js';
import { removedApisCheck } from './removed-apis.js';
import { staleCachesCheck } from './stale-caches.js';
import { varsDriftCheck } from './vars-drift.js';

export const PREFLIGHT_CHECKS: ReadonlyArray<PreflightCheck<unknown>> = [
  ansibleCheck,
  varsDriftCheck,
  mirrorCheck,
  clusterApiCheck,
  nodesCheck,
  apiEndpointsCheck,
  pdbCheck,
  dnsCheck,
  removedApisCheck,
  etcdHealthCheck,
  staleCachesCheck,
  kubeadmDryRunCheck,
];
