import { describe, expect, it } from 'vitest';
import { checkEtcdHealth, parseAlarms, parseEtcdResult, parseHealth, parseJsonLenient, parseMemberList, type EtcdRawResult } from './etcd.js';

// Recorded from etcdctl 3.4.23 against a real 3-member cluster on loopback
// (etcd3 stopped for the unhealthy case) and a one-member cluster driven past
// a 64 KiB quota for the alarm.
const MEMBERS_34 = '{"header":{"cluster_id":15032817995166343288,"member_id":11244430367371140574,"raft_term":2},"members":[{"ID":1089608519523047588,"name":"etcd3","peerURLs":["http://127.0.0.1:38975"],"clientURLs":["http://127.0.0.1:40311"]},{"ID":8246950157547848133,"name":"etcd2","peerURLs":["http://127.0.0.1:45533"],"clientURLs":["http://127.0.0.1:32897"]},{"ID":11244430367371140574,"name":"etcd1","peerURLs":["http://127.0.0.1:44661"],"clientURLs":["http://127.0.0.1:42209"]}]}';
const HEALTHY_34 = '[{"endpoint":"http://127.0.0.1:32897","health":true,"took":"2.66661ms"},{"endpoint":"http://127.0.0.1:42209","health":true,"took":"4.880815ms"},{"endpoint":"http://127.0.0.1:40311","health":true,"took":"3.1ms"}]';
const ONE_DOWN_34 = '[{"endpoint":"http://127.0.0.1:32897","health":true,"took":"2.66661ms"},{"endpoint":"http://127.0.0.1:42209","health":true,"took":"4.880815ms"},{"endpoint":"http://127.0.0.1:40311","health":false,"took":"5.001110278s","error":"context deadline exceeded"}]';
const STATUS_34 = '[{"Endpoint":"http://127.0.0.1:32897","Status":{"header":{"cluster_id":15032817995166343288,"member_id":8246950157547848133,"revision":1,"raft_term":2},"version":"3.4.23","dbSize":20480,"leader":8246950157547848133,"raftIndex":8,"raftTerm":2,"raftAppliedIndex":8,"dbSizeInUse":20480}},{"Endpoint":"http://127.0.0.1:42209","Status":{"header":{"cluster_id":15032817995166343288,"member_id":11244430367371140574,"revision":1,"raft_term":2},"version":"3.4.23","dbSize":24576,"leader":8246950157547848133,"raftIndex":8,"raftTerm":2,"raftAppliedIndex":8,"dbSizeInUse":16384}}]';
const ALARM_JSON_34 = '{"alarms":[{"memberID":11244430367371140574,"alarm":1}]}';
const ALARM_TEXT_34 = 'memberID:11244430367371140574 alarm:NOSPACE \n';
const STATUS_WITH_ALARM_34 = '[{"Endpoint":"http://127.0.0.1:42209","Status":{"header":{"cluster_id":6328709751833505057,"member_id":11244430367371140574,"revision":9,"raft_term":2},"version":"3.4.23","dbSize":81920,"leader":11244430367371140574,"raftIndex":15,"raftTerm":2,"raftAppliedIndex":15,"errors":["memberID:11244430367371140574 alarm:NOSPACE "],"dbSizeInUse":81920}}]';

// Shaped like etcdctl 3.5 (isLearner fields; health reports alarms as errors)
// and 3.3 (plain-text health), which this machine does not have.
const MEMBERS_35 = '{"header":{"cluster_id":17237436991929493444,"member_id":9372538179322589801,"raft_term":5},"members":[{"ID":9372538179322589801,"name":"k1-master01","peerURLs":["https://192.168.30.13:2380"],"clientURLs":["https://192.168.30.13:2379"],"isLearner":false},{"ID":10501334649042878790,"name":"k1-master02","peerURLs":["https://192.168.30.14:2380"],"clientURLs":["https://192.168.30.14:2379"],"isLearner":false},{"ID":18249187646912138824,"name":"k1-master03","peerURLs":["https://192.168.30.15:2380"],"clientURLs":["https://192.168.30.15:2379"],"isLearner":false}]}';
const HEALTH_35_ALARM = '[{"endpoint":"https://192.168.30.13:2379","health":false,"took":"8.1ms","error":"Active Alarm(s): NOSPACE"},{"endpoint":"https://192.168.30.14:2379","health":true,"took":"9.0ms"},{"endpoint":"https://192.168.30.15:2379","health":true,"took":"9.4ms"}]';
const HEALTH_33_TEXT = 'https://192.168.30.13:2379 is healthy: successfully committed proposal: took = 1.9ms\nhttps://192.168.30.14:2379 is healthy: successfully committed proposal: took = 2.2ms\n';
const HEALTH_33_TEXT_ERR = 'https://192.168.30.15:2379 is unhealthy: failed to commit proposal: context deadline exceeded\nError: unhealthy cluster\n';

const ok = (stdout: string) => ({ rc: 0, stdout, stderr: '' });
const raw = (overrides: Partial<EtcdRawResult> = {}): EtcdRawResult => ({
  host: 'k1-master01',
  memberList: ok(MEMBERS_34),
  health: ok(HEALTHY_34),
  status: ok(STATUS_34),
  alarms: ok('{}'),
  ...overrides,
});

describe('parseJsonLenient', () => {
  it('keeps uint64 member IDs exact', () => {
    const doc = parseJsonLenient(MEMBERS_34) as { header: { member_id: string } };
    expect(doc.header.member_id).toBe('11244430367371140574');
  });

  it('skips stray text before the JSON and gives up on garbage', () => {
    expect(parseJsonLenient('warning: x\n[{"a":1}]')).toEqual([{ a: 1 }]);
    expect(parseJsonLenient('Error: unhealthy cluster')).toBeUndefined();
  });
});

describe('parsers', () => {
  it('reads the member list of 3.4 and 3.5', () => {
    expect(parseMemberList(MEMBERS_34)?.map((m) => m.name)).toEqual(['etcd3', 'etcd2', 'etcd1']);
    expect(parseMemberList(MEMBERS_35)?.[2]).toEqual({
      id: '18249187646912138824', name: 'k1-master03', clientUrls: ['https://192.168.30.15:2379'], isLearner: false,
    });
  });

  it('reads plain-text health of etcdctl 3.3', () => {
    expect(parseHealth(HEALTH_33_TEXT, HEALTH_33_TEXT_ERR)).toEqual([
      { endpoint: 'https://192.168.30.13:2379', healthy: true },
      { endpoint: 'https://192.168.30.14:2379', healthy: true },
      { endpoint: 'https://192.168.30.15:2379', healthy: false, error: 'failed to commit proposal: context deadline exceeded' },
    ]);
  });

  it('reads alarms as JSON numbers, as text, and from status errors, once each', () => {
    expect(parseAlarms(ALARM_JSON_34, ['memberID:11244430367371140574 alarm:NOSPACE '])).toEqual([
      { memberId: '11244430367371140574', alarm: 'NOSPACE' },
    ]);
    expect(parseAlarms(ALARM_TEXT_34)).toEqual([{ memberId: '11244430367371140574', alarm: 'NOSPACE' }]);
    expect(parseAlarms('{}')).toEqual([]);
  });
});

describe('parseEtcdResult', () => {
  it('merges member list, health and status, and finds the leader', () => {
    const facts = parseEtcdResult(raw());
    expect(facts.members).toHaveLength(3);
    const etcd2 = facts.members.find((m) => m.name === 'etcd2');
    expect(etcd2).toMatchObject({ endpoint: 'http://127.0.0.1:32897', healthy: true, isLeader: true, dbSize: 20480, id: '8246950157547848133' });
    expect(facts.members.find((m) => m.name === 'etcd1')?.isLeader).toBe(false);
  });

  it('keeps a member that health did not report, as unhealthy', () => {
    const facts = parseEtcdResult(raw({ health: ok(HEALTHY_34.replace(/,\{"endpoint":"http:\/\/127.0.0.1:40311"[^}]*\}/, '')) }));
    expect(facts.members.find((m) => m.name === 'etcd3')).toMatchObject({ healthy: false, error: 'no health report for this member' });
  });

  it('falls back to the health report when the member list fails (no quorum)', () => {
    const facts = parseEtcdResult(raw({ memberList: { rc: 1, stdout: '', stderr: 'Error: context deadline exceeded' }, health: { rc: 1, stdout: ONE_DOWN_34, stderr: 'Error: unhealthy cluster' } }));
    expect(facts.members.map((m) => [m.name, m.healthy])).toEqual([
      ['http://127.0.0.1:32897', true], ['http://127.0.0.1:42209', true], ['http://127.0.0.1:40311', false],
    ]);
    expect(facts.readErrors[0]).toContain('member list exited with code 1');
  });

  it('names the member an alarm is raised on', () => {
    const facts = parseEtcdResult(raw({ alarms: ok(ALARM_JSON_34), status: ok(STATUS_WITH_ALARM_34) }));
    expect(facts.alarms).toEqual([{ memberId: '11244430367371140574', alarm: 'NOSPACE', member: 'etcd1' }]);
  });

  it('sees that etcdctl is missing', () => {
    const missing = { rc: 2, stdout: '', stderr: '', msg: "[Errno 2] No such file or directory: b'etcdctl'" };
    expect(parseEtcdResult(raw({ memberList: missing, health: missing, status: missing, alarms: missing })).etcdctlMissing).toBe(true);
  });
});

describe('checkEtcdHealth', () => {
  it('passes a healthy 3-member cluster without alarms', () => {
    const outcome = checkEtcdHealth(parseEtcdResult(raw()));
    expect(outcome).toMatchObject({ check: 'etcd-health', status: 'pass', findings: [] });
    expect(outcome.table?.rows.find((row) => row[0] === 'etcd2')).toEqual(['etcd2', 'http://127.0.0.1:32897', 'yes', 'yes', '20 KiB', '3.4.23', '']);
  });

  it('blocks when a member is down, naming it and explaining quorum', () => {
    const outcome = checkEtcdHealth(parseEtcdResult(raw({ health: { rc: 1, stdout: ONE_DOWN_34, stderr: 'Error: unhealthy cluster' } })));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings).toHaveLength(1);
    const finding = outcome.findings[0]!;
    expect(finding.severity).toBe('block');
    expect(finding.what).toContain('1 of 3 etcd members unhealthy: etcd3 (http://127.0.0.1:40311: context deadline exceeded)');
    expect(finding.where).toBe('etcd member etcd3');
    expect(finding.why).toContain('majority (2 of 3)');
    expect(finding.why).toContain('etcdserver: request timed out');
    expect(finding.fix).toContain('member add');
  });

  it('says quorum is already lost when a majority is down', () => {
    const twoDown = ONE_DOWN_34.replace('"health":true,"took":"2.66661ms"', '"health":false,"took":"5s","error":"context deadline exceeded"');
    const finding = checkEtcdHealth(parseEtcdResult(raw({ health: { rc: 1, stdout: twoDown, stderr: '' } }))).findings[0]!;
    expect(finding.what).toContain('2 of 3');
    expect(finding.why).toContain('quorum is already lost');
  });

  it('blocks an even member count', () => {
    const four = MEMBERS_34.replace(/]}$/, ',{"ID":42,"name":"etcd4","peerURLs":["http://127.0.0.1:1"],"clientURLs":["http://127.0.0.1:2"]}]}');
    const health = HEALTHY_34.replace(/]$/, ',{"endpoint":"http://127.0.0.1:2","health":true,"took":"1ms"}]');
    const outcome = checkEtcdHealth(parseEtcdResult(raw({ memberList: ok(four), health: ok(health) })));
    expect(outcome.status).toBe('fail');
    expect(outcome.findings.map((f) => f.what)).toEqual(['etcd has 4 voting members, an even number']);
  });

  it('does not count a learner as a voting member', () => {
    const withLearner = MEMBERS_35.replace(/]}$/, ',{"ID":7,"name":"k1-master04","peerURLs":["https://192.168.30.16:2380"],"clientURLs":["https://192.168.30.16:2379"],"isLearner":true}]}');
    const health = HEALTH_35_ALARM.replace('"health":false,"took":"8.1ms","error":"Active Alarm(s): NOSPACE"', '"health":true,"took":"8.1ms"')
      .replace(/]$/, ',{"endpoint":"https://192.168.30.16:2379","health":true,"took":"1ms"}]');
    const facts = parseEtcdResult(raw({ memberList: ok(withLearner), health: ok(health), status: ok('[]') }));
    expect(facts.members.filter((m) => m.isLearner)).toHaveLength(1);
    expect(facts.members).toHaveLength(4);
    expect(checkEtcdHealth(facts).status).toBe('pass');
  });

  it('blocks a raised alarm, with what it means and the fix', () => {
    const outcome = checkEtcdHealth(parseEtcdResult(raw({ alarms: ok(ALARM_JSON_34) })));
    expect(outcome.findings).toHaveLength(1);
    expect(outcome.findings[0]).toMatchObject({ severity: 'block', what: 'etcd alarm NOSPACE is raised on member etcd1', where: 'etcd member etcd1' });
    expect(outcome.findings[0]!.fix).toContain('alarm disarm');
  });

  it('reads 3.5 health that reports an alarm as an unhealthy member', () => {
    const outcome = checkEtcdHealth(parseEtcdResult(raw({ memberList: ok(MEMBERS_35), health: { rc: 1, stdout: HEALTH_35_ALARM, stderr: '' }, status: ok('[]'), alarms: ok('{"alarms":[{"memberID":9372538179322589801,"alarm":"NOSPACE"}]}') })));
    expect(outcome.findings.map((f) => f.what)).toEqual([
      '1 of 3 etcd members unhealthy: k1-master01 (https://192.168.30.13:2379: Active Alarm(s): NOSPACE)',
      'etcd alarm NOSPACE is raised on member k1-master01',
    ]);
  });

  it('blocks when nothing could be read, and skips when etcdctl is missing', () => {
    const down = { rc: 1, stdout: '', stderr: 'Error: context deadline exceeded' };
    const unreadable = checkEtcdHealth(parseEtcdResult(raw({ memberList: down, health: down, status: down, alarms: down })));
    expect(unreadable.status).toBe('fail');
    expect(unreadable.findings[0]!.what).toBe('etcd health could not be read from k1-master01');
    const missing = { rc: 2, stdout: '', stderr: '', msg: "[Errno 2] No such file or directory: b'etcdctl'" };
    const skipped = checkEtcdHealth(parseEtcdResult(raw({ memberList: missing, health: missing, status: missing, alarms: missing })));
    expect(skipped).toMatchObject({ status: 'skipped', findings: [] });
    expect(skipped.reason).toContain('etcdctl is not installed on k1-master01');
  });

  it('marks findings with the hop', () => {
    const hop = { index: 2, fromVersion: 'v1.17.7', toVersion: 'v1.18.8', fromTag: 'v2.13.2', toTag: 'v2.14.2', line: '2.14' };
    const outcome = checkEtcdHealth(parseEtcdResult(raw({ alarms: ok(ALARM_JSON_34) })), hop);
    expect(outcome.findings[0]!.hop).toBe(2);
  });
});
