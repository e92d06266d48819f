/**
 * `kspray pipeline`: a ready CI definition for the repository that holds the
 * cluster file. Scheduled at the maintenance window's opening; jobs plan →
 * preflight → one apply job per hop, each behind a manual gate. Every job
 * runs on a self-hosted runner (the nodes are on-prem): a GitLab runner tag,
 * a GitHub runner label.
 *
 * The plan job writes the plan a person reviews (kspray-plan.json, and its
 * Markdown); each apply job runs that plan (`apply --plan`): kspray plans it
 * again from the day's inputs and refuses it when anything changed. The
 * journal and the lock live in the cluster (the Lease and the Secret of
 * issue 11), not in a CI cache a runner may evict: a hop the window cut
 * short resumes from the cluster's copy in the next job, on any runner. So
 * the jobs need the cluster's kubeconfig (a CI variable). Each apply job
 * publishes its JUnit as a test report and keeps its run report and the
 * cluster file it updated as artifacts. Secrets stay in CI variables: the
 * file names them, never their values. Pure: data in, YAML text out.
 */
import { stringify } from 'yaml';
import type { MaintenanceWindow } from '../apply/window-spec.js';
import { leaseName } from '../kube/lease-record.js';
import { yamlCommentLine } from '../util/comment-line.js';
import { journalSecretName } from '../kube/state-secret.js';

export type CiKind = 'gitlab' | 'github';

export interface PipelineHop {
  index: number;
  tag: string;
  fromVersion: string;
  toVersion: string;
}

export interface PipelineInput {
  ci: CiKind;
  cluster: string;
  /** The cluster file, relative to the repository root (posix). */
  clusterFile: string;
  /** The directory beside the cluster file that holds .kspray/ (relative, posix; '' for the root). */
  clusterDir: string;
  from: string;
  to: string;
  hops: readonly PipelineHop[];
  /** As the operator wrote it (passed to apply --window), and parsed (for the schedule). */
  windowText: string;
  windows: readonly MaintenanceWindow[];
  /** Explicit cron lines; default: one per window, at its opening. */
  cron?: readonly string[] | undefined;
  /** Environment variables the cluster file's secrets are read from (fromEnv). */
  secretEnv: readonly string[];
  ansible: 'system' | 'venv';
  /** GitLab job image. */
  image: string;
  nodeVersion: string;
  /** The self-hosted runner: a GitLab runner tag, GitHub runner labels (beside self-hosted). */
  runnerTag: string;
  runnerLabels: readonly string[];
  /** The command line that made this file, for the header. */
  command: string;
}

const SSH_KEY = 'SSH_PRIVATE_KEY';
const SSH_SOCK = '/tmp/kspray-ssh-agent.sock';
const PLAN_FILE = 'kspray-plan.json';
const PLAN_MARKDOWN = 'kspray-plan.md';

/** `{ fromEnv: NAME }` references anywhere in the cluster model, sorted. */
export function secretEnvNames(value: unknown): string[] {
  const names = new Set<string>();
  const walk = (item: unknown): void => {
    if (Array.isArray(item)) item.forEach(walk);
    else if (item !== null && typeof item === 'object') {
      const record = item as Record<string, unknown>;
      if (typeof record.fromEnv === 'string') names.add(record.fromEnv);
      Object.values(record).forEach(walk);
    }
  };
  walk(value);
  return [...names].sort();
}

/** Cron lines for the windows' openings (minute hour * * days). Cron has no zone: a local window is scheduled in the CI's zone (UTC on GitHub). */
export function cronForWindows(windows: readonly MaintenanceWindow[]): string[] {
  return windows.map((window) => {
    const days = window.days.length === 7 ? '*' : window.days.join(',');
    return `${window.startMinute % 60} ${Math.floor(window.startMinute / 60)} * * ${days}`;
  });
}

function join(...parts: string[]): string {
  return parts.filter((part) => part !== '').join('/');
}

interface Commands {
  plan: string;
  preflight: string;
  apply(hop: PipelineHop): string;
  report(hop: PipelineHop): string;
  junit(hop: PipelineHop): string;
  /** The step logs of the runs (never the journal: the cluster keeps that). */
  logs: string;
  /** Fails the job when the cluster's kubeconfig is missing: the journal and the lock live in the cluster. */
  requireKubeconfig: string;
}

function commands(input: PipelineInput): Commands {
  const file = '"$KSPRAY_CLUSTER_FILE"';
  const report = (hop: PipelineHop): string => `kspray-hop${hop.index}-report.json`;
  const junit = (hop: PipelineHop): string => `kspray-hop${hop.index}-junit.xml`;
  return {
    // --require-ansible: a job image whose Ansible is outside a hop's range fails here, naming what to use.
    plan: `npx kspray plan -c ${file} --to "$KSPRAY_TARGET" --require-ansible --output ${PLAN_FILE} --markdown > ${PLAN_MARKDOWN}`,
    preflight: `npx kspray preflight -c ${file} --to "$KSPRAY_TARGET"`,
    apply: (hop) => `npx kspray apply -c ${file} --plan ${PLAN_FILE} --hop ${hop.index} --yes --window "$KSPRAY_WINDOW" --report ${report(hop)} --junit ${junit(hop)}`,
    report, junit,
    logs: join(input.clusterDir, '.kspray', 'runs') + '/',
    requireKubeconfig: 'test -n "$KUBECONFIG" && test -s "$KUBECONFIG" || { echo "kspray: set the cluster\'s kubeconfig (CI variable KUBECONFIG): the upgrade\'s journal and lock live in the cluster" >&2; exit 1; }',
  };
}

function header(input: PipelineInput, lines: string[]): string {
  const hops = input.hops.map((hop) => `#   hop ${hop.index}: Kubespray ${hop.tag}, Kubernetes ${hop.fromVersion} → ${hop.toVersion}`);
  return [
    `# kspray: upgrade ${input.cluster} from ${input.from} to ${input.to} in ${input.hops.length} hop(s), in the window "${input.windowText}".`,
    `# Generated by: ${input.command}`,
    ...hops,
    '#',
    '# Needs kspray in this repository\'s package.json (npm ci installs it; npx runs it).',
    input.ansible === 'venv'
      ? '# Ansible: kubespray.ansible is venv, so kspray installs the Ansible each Kubespray line pins (python3-venv needed).'
      : '# Ansible: kubespray.ansible is system: the runner must provide an ansible-playbook in the range each hop needs; the plan job fails',
    ...(input.ansible === 'venv' ? [] : ['# (kspray plan --require-ansible) naming the range and pins otherwise, or set kubespray.ansible: venv.']),
    `# The plan job writes ${PLAN_FILE}, the plan to review; every apply job runs exactly that plan`,
    '# (kspray plans it again and refuses it when the cluster file, the lock file, the catalog or the cluster changed).',
    '# Each hop waits for a person to start it. A run the window cuts short stops at a step',
    '# boundary (exit 0, "stopped at a step boundary"); start the hop again in the next window and',
    '# it resumes where it stopped: the journal and the lock live in the cluster (kube-system: the Lease',
    `# ${leaseName(input.cluster)} and the Secret ${journalSecretName(input.cluster)}), not in a CI cache.`,
    '# Each apply job keeps the cluster file it updated (kubernetes.version, kubespray.tag) as an artifact:',
    '# commit it once the upgrade is done.',
    ...lines,
  ].map(yamlCommentLine).join('\n');
}

function variablesComment(input: PipelineInput, kubeconfig: string): string[] {
  return [
    '#',
    '# CI variables (secrets: masked and protected; their values never belong in this file):',
    ...input.secretEnv.map((name) => `#   ${name}: read by the cluster file (fromEnv)`),
    `#   ${SSH_KEY}: the private key Ansible reaches the nodes with`,
    `#   ${kubeconfig}: the cluster's kubeconfig (admin.conf): the preflights, the verify step, and the journal and lock kept in the cluster`,
  ];
}

export function gitlabPipeline(input: PipelineInput): string {
  const cmd = commands(input);
  const cron = input.cron ?? cronForWindows(input.windows);
  const document: Record<string, unknown> = {
    workflow: { rules: [{ if: '$CI_PIPELINE_SOURCE == "schedule"' }, { if: '$CI_PIPELINE_SOURCE == "web"' }] },
    stages: ['plan', 'preflight', ...input.hops.map((hop) => `hop-${hop.index}`)],
    variables: { KSPRAY_CLUSTER_FILE: input.clusterFile, KSPRAY_TARGET: input.to, KSPRAY_WINDOW: input.windowText },
    default: {
      image: input.image,
      // The nodes are on-prem: a runner that reaches them.
      tags: [input.runnerTag],
      before_script: [
        `apt-get update -qq && apt-get install -y -qq --no-install-recommends git openssh-client${input.ansible === 'venv' ? ' python3-venv python3-pip' : ''} > /dev/null`,
        'npm ci',
        'eval "$(ssh-agent -s)" > /dev/null',
        `printf '%s\\n' "$${SSH_KEY}" | tr -d '\\r' | ssh-add - > /dev/null`,
      ],
    },
    plan: {
      stage: 'plan',
      script: [cmd.requireKubeconfig, cmd.plan],
      artifacts: { paths: [PLAN_FILE, PLAN_MARKDOWN], expire_in: '90 days' },
    },
    preflight: { stage: 'preflight', needs: ['plan'], script: [cmd.requireKubeconfig, cmd.preflight] },
  };
  input.hops.forEach((hop, position) => {
    document[`apply-hop-${hop.index}`] = {
      stage: `hop-${hop.index}`,
      // The reviewed plan comes from the plan job; the order from the hop before.
      needs: [{ job: 'plan', artifacts: true }, { job: position === 0 ? 'preflight' : `apply-hop-${input.hops[position - 1]!.index}`, artifacts: false }],
      // The manual gate: nothing upgrades until a person starts the hop; the pipeline waits for it.
      when: 'manual',
      allow_failure: false,
      resource_group: `kspray-${input.cluster}`,
      environment: { name: `${input.cluster}/hop-${hop.index}` },
      script: [cmd.requireKubeconfig, cmd.apply(hop)],
      artifacts: {
        when: 'always',
        paths: [cmd.report(hop), cmd.junit(hop), cmd.logs, input.clusterFile],
        reports: { junit: cmd.junit(hop) },
        expire_in: '90 days',
      },
    };
  });
  const schedule = [
    '#',
    `# Runner: every job runs on a runner tagged "${input.runnerTag}" that reaches the nodes and the API (--runner-tag).`,
    '# Schedule: GitLab keeps schedules outside this file. Create one (CI/CD → Schedules) with',
    ...cron.map((line) => `#   cron "${line}"${input.windows.some((w) => w.zone === 'local') ? '' : ', timezone UTC'}`),
    `# e.g. glab schedule create --cron "${cron[0]}" --ref main --description "kspray ${input.cluster}"`,
  ];
  return `${header(input, [...schedule, ...variablesComment(input, 'KUBECONFIG (type File)')])}\n${stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

function githubSteps(input: PipelineInput, run: string[], extra: { plan?: boolean; artifacts?: string[]; name?: string; junit?: string } = {}): unknown[] {
  return [
    { uses: 'actions/checkout@v4' },
    { uses: 'actions/setup-node@v4', with: { 'node-version': input.nodeVersion, cache: 'npm' } },
    { run: 'npm ci' },
    ...(input.ansible === 'venv' ? [{ run: 'sudo apt-get install -y -qq python3-venv > /dev/null' }] : []),
    {
      name: 'ssh agent with the nodes\' key',
      run: `ssh-agent -a "$SSH_AUTH_SOCK" > /dev/null\nprintf '%s\\n' "$${SSH_KEY}" | tr -d '\\r' | ssh-add - > /dev/null`,
      env: { [SSH_KEY]: `\${{ secrets.${SSH_KEY} }}` },
    },
    {
      name: 'the cluster\'s kubeconfig',
      run: 'printf \'%s\\n\' "$KSPRAY_KUBECONFIG" > "$RUNNER_TEMP/kubeconfig"\necho "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"',
      env: { KSPRAY_KUBECONFIG: '${{ secrets.KSPRAY_KUBECONFIG }}' },
    },
    { run: commands(input).requireKubeconfig },
    ...(extra.plan ? [{ name: 'the reviewed plan', uses: 'actions/download-artifact@v4', with: { name: 'kspray-plan' } }] : []),
    ...run.map((line) => ({ run: line })),
    ...(extra.junit
      ? [{ name: 'test report', if: 'always()', uses: 'mikepenz/action-junit-report@v5', with: { report_paths: extra.junit, check_name: extra.name, require_tests: true } }]
      : []),
    ...(extra.artifacts
      ? [{ name: 'run report', if: 'always()', uses: 'actions/upload-artifact@v4', with: { name: extra.name, path: extra.artifacts.join('\n'), 'if-no-files-found': 'warn' } }]
      : []),
  ];
}

export function githubWorkflow(input: PipelineInput): string {
  const cmd = commands(input);
  const cron = input.cron ?? cronForWindows(input.windows);
  const secrets = Object.fromEntries(input.secretEnv.map((name) => [name, `\${{ secrets.${name} }}`]));
  // The nodes are on-prem: a self-hosted runner that reaches them.
  const runsOn = ['self-hosted', ...input.runnerLabels];
  const jobs: Record<string, unknown> = {
    plan: {
      'runs-on': runsOn,
      env: secrets,
      steps: [
        ...githubSteps(input, [cmd.plan, `cat ${PLAN_MARKDOWN} >> "$GITHUB_STEP_SUMMARY"`]),
        { uses: 'actions/upload-artifact@v4', with: { name: 'kspray-plan', path: `${PLAN_FILE}\n${PLAN_MARKDOWN}` } },
      ],
    },
    preflight: { needs: 'plan', 'runs-on': runsOn, env: secrets, steps: githubSteps(input, [cmd.preflight]) },
  };
  input.hops.forEach((hop, position) => {
    jobs[`apply-hop-${hop.index}`] = {
      name: `hop ${hop.index}: Kubespray ${hop.tag}, ${hop.fromVersion} → ${hop.toVersion}`,
      needs: position === 0 ? 'preflight' : `apply-hop-${input.hops[position - 1]!.index}`,
      'runs-on': runsOn,
      // The manual gate: protect this environment with required reviewers (Settings → Environments).
      environment: `${input.cluster}-hop-${hop.index}`,
      'timeout-minutes': 360,
      env: secrets,
      steps: githubSteps(input, [cmd.apply(hop)], {
        plan: true, name: `kspray-hop${hop.index}`, junit: cmd.junit(hop),
        artifacts: [cmd.report(hop), cmd.junit(hop), cmd.logs, input.clusterFile],
      }),
    };
  });
  const document = {
    name: `kspray ${input.cluster}`,
    on: { schedule: cron.map((line) => ({ cron: line })), workflow_dispatch: {} },
    // One upgrade of a cluster at a time, and never cancelled halfway (the Lease in the cluster holds it across machines too).
    concurrency: { group: `kspray-${input.cluster}`, 'cancel-in-progress': false },
    // checks: write for the JUnit test report.
    permissions: { contents: 'read', checks: 'write' },
    env: { KSPRAY_CLUSTER_FILE: input.clusterFile, KSPRAY_TARGET: input.to, KSPRAY_WINDOW: input.windowText, SSH_AUTH_SOCK: SSH_SOCK },
    jobs,
  };
  const gate = [
    '#',
    `# Runner: every job runs on a self-hosted runner labelled ${input.runnerLabels.join(', ')} that reaches the nodes and the API (--runner-label).`,
    `# Manual gate: create the environments ${input.hops.map((hop) => `${input.cluster}-hop-${hop.index}`).join(', ')} with required reviewers.`,
    `# Schedule: ${cron.map((line) => `"${line}"`).join(', ')} (GitHub runs cron in UTC).`,
  ];
  return `${header(input, [...gate, ...variablesComment(input, 'KSPRAY_KUBECONFIG')])}\n${stringify(document, { lineWidth: 0, aliasDuplicateObjects: false })}`;
}

export function pipelineDefinition(input: PipelineInput): string {
  return input.ci === 'gitlab' ? gitlabPipeline(input) : githubWorkflow(input);
}

/** Where the file goes in the repository. */
export function pipelinePath(ci: CiKind, cluster: string): string {
  return ci === 'gitlab' ? '.gitlab-ci.yml' : `.github/workflows/kspray-${cluster}.yml`;
}
