/**
 * etcd quorum preflight, pure: the raw etcdctl outputs that
 * playbooks/preflight-etcd.yml collected on the first etcd host → facts →
 * a check. Parsing is lenient (etcdctl 3.3 prints plain text for health,
 * 3.4 and 3.5 print slightly different JSON); the check is strict: an upgrade
 * restarts members one at a time, so it must never start with one already down.
 */
import type { CheckOutcome, Finding, HopContext, OutcomeTable } from './types.js';
import { tailLines } from '../process/exec.js';
import { redact } from '../util/redact.js';

export const ETCD_CHECK = 'etcd-health';

/** One etcdctl call as the playbook recorded it. */
export interface EtcdctlOutput {
  rc: number;
  stdout: string;
  stderr: string;
  /** Ansible's message, e.g. "[Errno 2] No such file or directory" when etcdctl is missing. */
  msg?: string;
}

/** What playbooks/preflight-etcd.yml writes for its host. */
export interface EtcdRawResult {
  host: string;
  endpoints?: string;
  memberList: EtcdctlOutput;
  health: EtcdctlOutput;
  status: EtcdctlOutput;
  alarms: EtcdctlOutput;
}

export interface EtcdMemberFact {
  name: string;
  /** Member ID as a decimal string (uint64: too big for a JS number). */
  id?: string;
  endpoint: string;
  healthy: boolean;
  error?: string;
  isLeader?: boolean;
  isLearner?: boolean;
  dbSize?: number;
  version?: string;
}

export interface EtcdAlarm {
  alarm: string;
  memberId?: string;
  /** The member's name when the member list knows the ID. */
  member?: string;
}

export interface EtcdFacts {
  /** The host etcdctl ran on. */
  host: string;
  members: EtcdMemberFact[];
  alarms: EtcdAlarm[];
  /** etcdctl could not be run at all (not installed / not on PATH). */
  etcdctlMissing: boolean;
  /** Why the member list or health could not be read, redacted. */
  readErrors: string[];
}

/** etcd's AlarmType enum, for JSON that carries numbers. */
const ALARM_NAMES: Record<number, string> = { 0: 'NONE', 1: 'NOSPACE', 2: 'CORRUPT' };

/**
 * JSON.parse, but uint64 IDs (cluster_id, member_id, leader, ID, memberID)
 * stay exact: every integer of 16+ digits becomes a string first. Text before
 * the first bracket (stray log lines) is skipped.
 */
export function parseJsonLenient(text: string): unknown {
  const start = text.search(/[[{]/);
  if (start === -1) return undefined;
  const quoted = text.slice(start).replace(/([:[,]\s*)(-?\d{16,})(?=\s*[,}\]])/g, '$1"$2"');
  try {
    return JSON.parse(quoted);
  } catch {
    return undefined;
  }
}

const record = (value: unknown): Record<string, unknown> | undefined =>
  value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
const str = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'bigint' ? String(value) : undefined;
/** Case-insensitive field lookup: 3.4 prints `Endpoint`/`Status`, health prints `endpoint`. */
function field(obj: Record<string, unknown> | undefined, ...names: string[]): unknown {
  if (!obj) return undefined;
  for (const name of names) {
    if (name in obj) return obj[name];
    const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
    if (key !== undefined) return obj[key];
  }
  return undefined;
}
const normalizeUrl = (url: string): string => url.trim().replace(/\/+$/, '');

interface ListedMember { id?: string; name: string; clientUrls: string[]; isLearner?: boolean }

export function parseMemberList(stdout: string): ListedMember[] | undefined {
  const doc = record(parseJsonLenient(stdout));
  const list = field(doc, 'members');
  if (!Array.isArray(list)) return undefined;
  return list.flatMap((entry) => {
    const m = record(entry);
    if (!m) return [];
    const clientUrls = (Array.isArray(field(m, 'clientURLs')) ? (field(m, 'clientURLs') as unknown[]) : [])
      .map(str).filter((u): u is string => u !== undefined).map(normalizeUrl);
    const id = str(field(m, 'ID', 'id'));
    // A member added but not started yet has no name: name it by ID.
    const name = str(field(m, 'name')) || (id ? `member ${id}` : clientUrls[0] ?? 'unnamed member');
    const learner = field(m, 'isLearner');
    return [{ ...(id === undefined ? {} : { id }), name, clientUrls, ...(typeof learner === 'boolean' ? { isLearner: learner } : {}) }];
  });
}

interface HealthEntry { endpoint: string; healthy: boolean; error?: string }

/** `endpoint health` as JSON (3.4/3.5) or as the plain lines of 3.3. */
export function parseHealth(stdout: string, stderr = ''): HealthEntry[] {
  const doc = parseJsonLenient(stdout);
  if (Array.isArray(doc)) {
    return doc.flatMap((entry) => {
      const e = record(entry);
      const endpoint = str(field(e, 'endpoint', 'ep'));
      if (!e || endpoint === undefined) return [];
      const error = str(field(e, 'error'));
      return [{ endpoint: normalizeUrl(endpoint), healthy: field(e, 'health') === true || field(e, 'health') === 'true', ...(error ? { error } : {}) }];
    });
  }
  // 3.3: "https://10.0.0.1:2379 is healthy: successfully committed proposal: took = 1.9ms"
  //      "https://10.0.0.2:2379 is unhealthy: failed to commit proposal: context deadline exceeded"
  const entries: HealthEntry[] = [];
  for (const line of `${stdout}\n${stderr}`.split('\n')) {
    const m = /^(\S+) is (healthy|unhealthy)(?::\s*(.*))?$/.exec(line.trim());
    if (!m) continue;
    const healthy = m[2] === 'healthy';
    entries.push({ endpoint: normalizeUrl(m[1]!), healthy, ...(!healthy && m[3] ? { error: m[3] } : {}) });
  }
  return entries;
}

interface StatusEntry { endpoint: string; memberId?: string; leader?: string; dbSize?: number; version?: string; isLearner?: boolean; errors: string[] }

export function parseStatus(stdout: string): StatusEntry[] {
  const doc = parseJsonLenient(stdout);
  if (!Array.isArray(doc)) return [];
  return doc.flatMap((entry) => {
    const e = record(entry);
    const endpoint = str(field(e, 'Endpoint'));
    const status = record(field(e, 'Status'));
    if (endpoint === undefined || !status) return [];
    const header = record(field(status, 'header'));
    const dbSize = Number(field(status, 'dbSize'));
    const errors = field(status, 'errors');
    const learner = field(status, 'isLearner');
    const memberId = str(field(header, 'member_id'));
    const leader = str(field(status, 'leader'));
    const version = str(field(status, 'version'));
    return [{
      endpoint: normalizeUrl(endpoint),
      ...(memberId === undefined ? {} : { memberId }),
      ...(leader === undefined ? {} : { leader }),
      ...(Number.isFinite(dbSize) ? { dbSize } : {}),
      ...(version === undefined ? {} : { version }),
      ...(typeof learner === 'boolean' ? { isLearner: learner } : {}),
      errors: Array.isArray(errors) ? errors.map(str).filter((s): s is string => s !== undefined) : [],
    }];
  });
}

const ALARM_TEXT = /memberID:\s*(\d+)\s+alarm:\s*([A-Z_]+)/g;

/** `alarm list` as JSON (`{"alarms":[{"memberID":…,"alarm":1}]}`) or as text lines; NONE is no alarm. */
export function parseAlarms(stdout: string, extraText: readonly string[] = []): Array<{ memberId?: string; alarm: string }> {
  const found: Array<{ memberId?: string; alarm: string }> = [];
  const doc = record(parseJsonLenient(stdout));
  const list = field(doc, 'alarms');
  if (Array.isArray(list)) {
    for (const entry of list) {
      const a = record(entry);
      const raw = field(a, 'alarm');
      const alarm = typeof raw === 'number' ? ALARM_NAMES[raw] ?? `ALARM_${raw}` : str(raw);
      const memberId = str(field(a, 'memberID', 'memberId', 'member_id'));
      if (alarm && alarm !== 'NONE') found.push({ ...(memberId === undefined ? {} : { memberId }), alarm });
    }
  }
  for (const text of doc ? extraText : [stdout, ...extraText]) {
    for (const m of text.matchAll(ALARM_TEXT)) if (m[2] !== 'NONE') found.push({ memberId: m[1]!, alarm: m[2]! });
  }
  const seen = new Set<string>();
  return found.filter((a) => {
    const key = `${a.memberId ?? ''}/${a.alarm}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

const isMissing = (out: EtcdctlOutput): boolean =>
  out.rc === 127 || (/No such file or directory|command not found/i.test(out.msg ?? '') && out.stdout === '');

function readError(what: string, out: EtcdctlOutput): string {
  const text = [out.stderr, out.msg].filter(Boolean).join('\n');
  return redact(`${what} exited with code ${out.rc}${text ? `: ${tailLines(text, 3)}` : ''}`);
}

/** The raw result file → facts. */
export function parseEtcdResult(raw: EtcdRawResult): EtcdFacts {
  const etcdctlMissing = [raw.memberList, raw.health].every(isMissing);
  const listed = parseMemberList(raw.memberList.stdout);
  const health = parseHealth(raw.health.stdout, raw.health.stderr);
  const status = parseStatus(raw.status.stdout);
  const readErrors: string[] = [];
  if (!etcdctlMissing && listed === undefined) readErrors.push(readError('etcdctl member list', raw.memberList));
  if (!etcdctlMissing && health.length === 0) readErrors.push(readError('etcdctl endpoint health', raw.health));

  // The member list knows every member, even a dead one; without it (no
  // quorum), fall back to what health reported.
  const base: ListedMember[] = listed ?? health.map((h) => ({ name: h.endpoint, clientUrls: [h.endpoint] }));
  const members: EtcdMemberFact[] = base.map((m) => {
    const h = health.find((entry) => m.clientUrls.includes(entry.endpoint));
    const s = status.find((entry) => (m.id !== undefined && entry.memberId === m.id) || m.clientUrls.includes(entry.endpoint));
    const endpoint = h?.endpoint ?? m.clientUrls[0] ?? '(no client URL)';
    const isLearner = m.isLearner ?? s?.isLearner;
    const error = h ? h.error : m.clientUrls.length === 0 ? 'member has no client URL (added but never started?)' : 'no health report for this member';
    return {
      name: m.name,
      ...(m.id === undefined ? {} : { id: m.id }),
      endpoint,
      healthy: h?.healthy ?? false,
      ...(error && !(h?.healthy ?? false) ? { error } : {}),
      ...(s?.leader !== undefined && s.memberId !== undefined ? { isLeader: s.leader === s.memberId } : {}),
      ...(isLearner === undefined ? {} : { isLearner }),
      ...(s?.dbSize === undefined ? {} : { dbSize: s.dbSize }),
      ...(s?.version === undefined ? {} : { version: s.version }),
    };
  });

  const alarms = parseAlarms(raw.alarms.stdout, status.flatMap((s) => s.errors)).map((a) => {
    const member = members.find((m) => m.id !== undefined && m.id === a.memberId)?.name;
    return { ...a, ...(member === undefined ? {} : { member }) };
  });
  return { host: raw.host, members, alarms, etcdctlMissing, readErrors };
}

const QUORUM_FIX_REJOIN =
  'On the member\'s host check `systemctl status etcd` and `journalctl -u etcd`, fix the cause and start it. ' +
  'If its data is lost, remove it (`etcdctl member remove <ID>`), wipe its data dir, add it back (`etcdctl member add`) ' +
  'and start it with ETCD_INITIAL_CLUSTER_STATE=existing. Re-run `kspray preflight` once `etcdctl endpoint health --cluster` is all healthy.';

const ALARM_WHY: Record<string, { why: string; fix: string }> = {
  NOSPACE: {
    why: 'The database reached its space quota: etcd accepts only reads and deletes, so the API server cannot write and the upgrade cannot save anything.',
    fix: 'Compact the history (`etcdctl compact <revision>`), defragment every member (`etcdctl defrag --cluster`), then `etcdctl alarm disarm`; raise `--quota-backend-bytes` if the data really grew.',
  },
  CORRUPT: {
    why: 'A member\'s data diverged from the others: etcd refuses writes until the corruption is dealt with.',
    fix: 'Replace the corrupt member: `etcdctl member remove` it, wipe its data dir, `etcdctl member add` it back with ETCD_INITIAL_CLUSTER_STATE=existing, then `etcdctl alarm disarm`.',
  },
};

/** Block unless every member is healthy, the voting member count is odd, and no alarm is raised. */
export function checkEtcdHealth(facts: EtcdFacts, hop?: HopContext): CheckOutcome {
  const at = hop === undefined ? {} : { hop: hop.index };
  if (facts.etcdctlMissing) {
    return { check: ETCD_CHECK, status: 'skipped', findings: [], reason: `etcdctl is not installed on ${facts.host} (looked up on PATH and in /usr/local/bin)` };
  }
  const findings: Finding[] = [];
  if (facts.members.length === 0) {
    findings.push({
      check: ETCD_CHECK, severity: 'block', ...at,
      what: `etcd health could not be read from ${facts.host}`,
      where: facts.host,
      why: 'kspray cannot prove etcd has quorum; an upgrade restarts members one at a time and would lose quorum if a member is already down.',
      fix: 'Run `etcdctl endpoint health --cluster` on that host by hand; check the endpoints and the client certificates (preflight.etcdCertDir, default /etc/ssl/etcd/ssl).',
      details: { errors: facts.readErrors },
    });
    return { check: ETCD_CHECK, status: 'fail', findings, table: etcdTable(facts) };
  }

  const voters = facts.members.filter((m) => m.isLearner !== true);
  const unhealthy = voters.filter((m) => !m.healthy);
  const quorum = Math.floor(voters.length / 2) + 1;
  if (unhealthy.length > 0) {
    const healthyCount = voters.length - unhealthy.length;
    const names = unhealthy.map((m) => m.name).join(', ');
    const lost = healthyCount < quorum;
    findings.push({
      check: ETCD_CHECK, severity: 'block', ...at,
      what: `${unhealthy.length} of ${voters.length} etcd members unhealthy: ${unhealthy.map((m) => `${m.name} (${m.endpoint}${m.error ? `: ${m.error}` : ''})`).join('; ')}`,
      where: unhealthy.map((m) => `etcd member ${m.name}`).join(', '),
      why: lost
        ? `etcd needs a majority (${quorum} of ${voters.length}) and only ${healthyCount} ${healthyCount === 1 ? 'is' : 'are'} healthy: quorum is already lost, and every API call fails with \`etcdserver: request timed out\`.`
        : `etcd needs a majority (${quorum} of ${voters.length}). An upgrade restarts members one at a time: with ${names} already down, ` +
          `the next restart leaves ${healthyCount - 1} of ${voters.length}, quorum is lost, and every API call fails with \`etcdserver: request timed out\`.`,
      fix: QUORUM_FIX_REJOIN,
      details: { unhealthy: unhealthy.map((m) => ({ name: m.name, endpoint: m.endpoint, error: m.error })), quorum, members: voters.length },
    });
  }
  if (voters.length % 2 === 0) {
    findings.push({
      check: ETCD_CHECK, severity: 'block', ...at,
      what: `etcd has ${voters.length} voting members, an even number`,
      where: `etcd cluster (${voters.map((m) => m.name).join(', ')})`,
      why: `A majority of ${voters.length} is ${quorum}, so ${voters.length} members tolerate no more failures than ${voters.length - 1} do, and a rolling restart ` +
        'runs with one fewer. An even count usually means a member add or remove was left half done.',
      fix: 'Make the count odd (3 or 5): finish adding the missing member or remove the extra one with `etcdctl member remove <ID>`, and match the inventory\'s etcd group.',
      details: { members: voters.map((m) => m.name) },
    });
  }
  for (const alarm of facts.alarms) {
    const known = ALARM_WHY[alarm.alarm];
    findings.push({
      check: ETCD_CHECK, severity: 'block', ...at,
      what: `etcd alarm ${alarm.alarm} is raised${alarm.member ? ` on member ${alarm.member}` : alarm.memberId ? ` on member ID ${alarm.memberId}` : ''}`,
      where: alarm.member ? `etcd member ${alarm.member}` : 'etcd cluster',
      why: known?.why ?? 'etcd raised an alarm and restricts writes until it is disarmed.',
      fix: known?.fix ?? 'Find the cause in the member\'s log, fix it, then `etcdctl alarm disarm`.',
      details: { ...alarm },
    });
  }
  return { check: ETCD_CHECK, status: findings.length > 0 ? 'fail' : 'pass', findings, table: etcdTable(facts) };
}

/** The members as `etcdctl endpoint status --cluster -w table` would show them, plus health. */
export function etcdTable(facts: EtcdFacts): OutcomeTable {
  return {
    title: `etcd members (seen from ${facts.host})`,
    columns: ['NAME', 'ENDPOINT', 'HEALTHY', 'LEADER', 'DB SIZE', 'VERSION', 'ERROR'],
    rows: facts.members.map((m) => [
      m.name, m.endpoint, m.healthy ? 'yes' : 'no', m.isLeader === undefined ? '?' : m.isLeader ? 'yes' : 'no',
      m.dbSize === undefined ? '?' : `${Math.round(m.dbSize / 1024)} KiB`, m.version ?? '?', m.error ?? '',
    ]),
  };
}
