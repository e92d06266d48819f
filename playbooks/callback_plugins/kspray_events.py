# -*- coding: utf-8 -*-
# kspray's event stream: one JSON object per line, appended to the file named
# by $KSPRAY_EVENTS_FILE, so kspray can follow a run live (progress, journal,
# resume) without scraping ansible-playbook's human output.
#
# It must load on every Ansible that Kubespray tags pin (2.7 through 2.18), on
# Python 2.7 and 3: so no f-strings, no keyword-only arguments, only v2_* hooks
# that exist since 2.0 (v2_runner_on_start, 2.8+, is simply never called on
# older versions), and every attribute read through getattr with a default.
#
# Secrets: module arguments and full results are never written. A failure
# carries only the task's short 'msg' (truncated), and nothing at all when the
# task is no_log. Every string written is masked with kspray's registered
# secrets, read from the file named by $KSPRAY_MASK_FILE (src/util/redact.ts
# has the rules: a secret of 4 characters or more wherever it occurs, a shorter
# one only as a whole token); when that file is named but cannot be read, no
# failure message is written at all.
#
# Stop and hold (kspray's graceful stop and its gates between waves): with
# $KSPRAY_CONTROL_DIR set, a play start (a serial batch is a play start of
# its own) is a safe boundary, where no task of the play runs yet. There the
# plugin looks for the file `stop` in that directory and, when it exists,
# writes a `stopped` event and ends its own ansible-playbook exactly there
# (KeyboardInterrupt: Ansible's own clean way out), so the hosts in flight
# finish their batch and no further one starts. $KSPRAY_STOP_PLAYS (a JSON
# list) narrows the boundaries to the starts of those plays: the plays that
# cordon and drain their batch, so a stop never leaves undone what drains
# nothing (the plays after the last batch). With $KSPRAY_HOLD_PLAY naming
# a play, each batch of that play after the first waits (a `batch_hold` event)
# until kspray writes `go-<batch>` (or `stop`); the wait ends too when the
# process that started ansible-playbook is gone.
from __future__ import (absolute_import, division, print_function)
__metaclass__ = type

DOCUMENTATION = '''
    name: kspray_events
    callback: kspray_events
    type: notification
    short_description: Writes kspray's JSON-lines event stream
    description:
      - Appends one JSON object per line to the file named by KSPRAY_EVENTS_FILE.
    requirements:
      - enable in configuration (callbacks_enabled / callback_whitelist)
'''

import io
import json
import os
import re
import time

from ansible.plugins.callback import CallbackBase

EVENTS_VERSION = 1
MESSAGE_LIMIT = 400
# Ansible's words for a failed command; the reason is in its stderr.
GENERIC_FAILURES = ('non-zero return code', 'MODULE FAILURE')
HOLD_POLL_SECONDS = 0.05
MASK = u'***'

try:
    _STRING_TYPES = (str, unicode)  # noqa: F821 (Python 2)
except NameError:
    _STRING_TYPES = (str,)


def _load_mask(path):
    '''(secrets masked wherever they occur, pattern of the short ones masked as whole tokens), or None.'''
    try:
        with io.open(path, 'r', encoding='utf-8') as stream:
            data = json.load(stream)
        below = int(data.get('whole_token_below', 4))
        secrets = [s for s in data.get('secrets', []) if isinstance(s, _STRING_TYPES) and s]
    except Exception:
        return None
    longs = sorted([s for s in secrets if len(s) >= below], key=len, reverse=True)
    shorts = sorted([s for s in secrets if len(s) < below], key=len, reverse=True)
    pattern = None
    if shorts:
        pattern = re.compile(u'(?<!\\w)(?:' + u'|'.join([re.escape(s) for s in shorts]) + u')(?!\\w)', re.UNICODE)
    return (longs, pattern)


def _timestamp():
    now = time.time()
    return time.strftime('%Y-%m-%dT%H:%M:%S', time.gmtime(now)) + '.%03dZ' % int((now % 1) * 1000)


def _text(value):
    if value is None:
        return None
    try:
        return u'%s' % (value,)
    except Exception:
        return None


def _call(obj, method, default=None):
    func = getattr(obj, method, None)
    if func is None:
        return default
    try:
        return func()
    except Exception:
        return default


class CallbackModule(CallbackBase):
    CALLBACK_VERSION = 2.0
    CALLBACK_TYPE = 'notification'
    CALLBACK_NAME = 'kspray_events'
    CALLBACK_NEEDS_WHITELIST = True
    CALLBACK_NEEDS_ENABLED = True

    def __init__(self, *args, **kwargs):
        super(CallbackModule, self).__init__(*args, **kwargs)
        self._path = os.environ.get('KSPRAY_EVENTS_FILE') or None
        self._stream = None
        self._broken = False
        self._control = os.environ.get('KSPRAY_CONTROL_DIR') or None
        self._hold_play = os.environ.get('KSPRAY_HOLD_PLAY') or None
        self._stop_plays = _json_list(os.environ.get('KSPRAY_STOP_PLAYS'))
        self._parent = os.getppid()
        self._last_play = None
        self._batch = 0
        mask_file = os.environ.get('KSPRAY_MASK_FILE') or None
        self._mask = _load_mask(mask_file) if mask_file else ([], None)

    # -- writing ----------------------------------------------------------

    def _emit(self, event_type, fields):
        if self._path is None or self._broken:
            return
        event = {'v': EVENTS_VERSION, 'type': event_type, 'ts': _timestamp()}
        for key in fields:
            if fields[key] is not None:
                event[key] = self._masked(fields[key])
        if self._mask is None:
            # Secrets to mask were named but cannot be read: write no free text that could hold one.
            event.pop('message', None)
        try:
            if self._stream is None:
                self._stream = open(self._path, 'a')
            # ensure_ascii keeps the line a plain str on Python 2 and 3 alike.
            self._stream.write(json.dumps(event, sort_keys=True) + '\n')
            self._stream.flush()
        except Exception as exc:
            # A callback must never break the run; say so once and stop trying.
            self._broken = True
            self._display.warning('kspray_events: cannot write %s: %s' % (self._path, exc))

    def _close_stream(self):
        if self._stream is not None:
            try:
                self._stream.close()
            except Exception:
                pass
            self._stream = None

    def _masked(self, value):
        if self._mask is None or isinstance(value, bool):
            return value
        if isinstance(value, dict):
            return dict((self._masked(k), self._masked(v)) for k, v in value.items())
        if isinstance(value, (list, tuple)):
            return [self._masked(v) for v in value]
        if isinstance(value, _STRING_TYPES):
            longs, pattern = self._mask
            for secret in longs:
                if secret in value:
                    value = value.replace(secret, MASK)
            if pattern is not None:
                value = pattern.sub(MASK, value)
        return value

    # -- helpers ----------------------------------------------------------

    def _task_fields(self, task):
        return {
            'task': _text(_call(task, 'get_name')),
            'uuid': _text(getattr(task, '_uuid', None)),
            'action': _text(getattr(task, 'action', None)),
        }

    def _result_fields(self, result, status):
        host = getattr(result, '_host', None)
        task = getattr(result, '_task', None)
        data = getattr(result, '_result', None)
        if not isinstance(data, dict):
            data = {}
        fields = self._task_fields(task)
        fields['host'] = _text(_call(host, 'get_name'))
        fields['changed'] = bool(data.get('changed', False))
        if status == 'ok' and fields['changed']:
            status = 'changed'
        fields['status'] = status
        if status in ('failed', 'unreachable'):
            fields['message'] = self._short_message(task, data)
        return fields

    def _short_message(self, task, data):
        if getattr(task, 'no_log', False) or data.get('_ansible_no_log'):
            return 'the output has been hidden due to no_log'
        message = _text(data.get('msg')) or _text(data.get('reason'))
        if not message and 'rc' in data:
            message = 'non-zero return code %s' % (data.get('rc'),)
        if not message:
            return None
        message = message.strip()
        if message.startswith(GENERIC_FAILURES):
            detail = _last_line(data.get('stderr')) or _last_line(data.get('module_stderr')) or _last_line(data.get('stdout'))
            if detail:
                message = '%s: %s' % (message, detail)
        if len(message) > MESSAGE_LIMIT:
            message = message[:MESSAGE_LIMIT] + '...'
        return message

    # -- playbook and plays -----------------------------------------------

    def v2_playbook_on_start(self, playbook):
        self._emit('playbook_start', {'playbook': _text(getattr(playbook, '_file_name', None))})

    def v2_playbook_on_play_start(self, play):
        hosts = getattr(play, 'hosts', None)
        if isinstance(hosts, (list, tuple)):
            hosts = ','.join([_text(h) for h in hosts])
        serial = getattr(play, 'serial', None)
        if serial is not None and not isinstance(serial, (list, tuple)):
            serial = [serial]
        if serial is not None:
            serial = [s if isinstance(s, int) else _text(s) for s in serial]
        name = _text(_call(play, 'get_name'))
        uuid = _text(getattr(play, '_uuid', None))
        batch = self._count_batch(name, uuid)
        self._checkpoint(name, batch)
        self._emit('play_start', {
            'name': name,
            'hosts': _text(hosts),
            'serial': serial,
            'uuid': uuid,
            'batch': batch,
        })

    # -- stop and hold (see the top of this file) -------------------------

    def _count_batch(self, name, uuid):
        '''Which serial batch of its play this play start is (1-based): Ansible starts each batch as the same play again.'''
        key = (name, uuid)
        self._batch = self._batch + 1 if key == self._last_play else 1
        self._last_play = key
        return self._batch

    def _control_file(self, name):
        return os.path.join(self._control, name)

    def _checkpoint(self, play, batch):
        if self._control is None:
            return
        boundary = self._stop_plays is None or play in self._stop_plays
        if boundary and os.path.exists(self._control_file('stop')):
            self._stop(play, batch)
        if self._hold_play is None or play != self._hold_play or batch < 2:
            return
        self._emit('batch_hold', {'play': play, 'batch': batch})
        go = self._control_file('go-%d' % batch)
        while not os.path.exists(go):
            if os.path.exists(self._control_file('stop')) or os.getppid() != self._parent:
                self._stop(play, batch)
            time.sleep(HOLD_POLL_SECONDS)

    def _stop(self, play, batch):
        self._emit('stopped', {'play': play, 'batch': batch, 'reason': 'stop requested'})
        self._close_stream()
        # Before the batch's first task: the hosts of the batch before it are done with it.
        raise KeyboardInterrupt('kspray: stopped at a batch boundary, as asked')

    def v2_playbook_on_no_hosts_matched(self):
        self._emit('no_hosts_matched', {})

    def v2_playbook_on_no_hosts_remaining(self):
        self._emit('no_hosts_remaining', {})

    # -- tasks ------------------------------------------------------------

    def v2_playbook_on_task_start(self, task, is_conditional):
        fields = self._task_fields(task)
        self._emit('task_start', {'name': fields['task'], 'uuid': fields['uuid'], 'action': fields['action']})

    def v2_playbook_on_handler_task_start(self, task):
        fields = self._task_fields(task)
        self._emit('handler_start', {'name': fields['task'], 'uuid': fields['uuid'], 'action': fields['action']})

    def v2_runner_on_start(self, host, task):
        fields = self._task_fields(task)
        fields['host'] = _text(_call(host, 'get_name'))
        self._emit('host_task_start', fields)

    # -- results ----------------------------------------------------------

    def v2_runner_on_ok(self, result):
        self._emit('host_result', self._result_fields(result, 'ok'))

    def v2_runner_on_failed(self, result, ignore_errors=False):
        fields = self._result_fields(result, 'failed')
        fields['ignored'] = bool(ignore_errors)
        self._emit('host_result', fields)

    def v2_runner_on_unreachable(self, result):
        self._emit('host_result', self._result_fields(result, 'unreachable'))

    def v2_runner_on_skipped(self, result):
        self._emit('host_result', self._result_fields(result, 'skipped'))

    def v2_runner_retry(self, result):
        fields = self._result_fields(result, 'retry')
        data = getattr(result, '_result', None)
        if isinstance(data, dict):
            fields['attempts'] = data.get('attempts')
            fields['retries'] = data.get('retries')
        fields['status'] = None
        self._emit('host_retry', fields)

    # -- the end ----------------------------------------------------------

    def v2_playbook_on_stats(self, stats):
        hosts = {}
        processed = getattr(stats, 'processed', None) or {}
        for host in sorted(processed.keys()):
            summary = _call_with(stats, 'summarize', host) or {}
            hosts[_text(host)] = {
                'ok': summary.get('ok', 0),
                'changed': summary.get('changed', 0),
                'unreachable': summary.get('unreachable', 0),
                'failed': summary.get('failures', 0),
                'skipped': summary.get('skipped', 0),
                'rescued': summary.get('rescued', 0),
                'ignored': summary.get('ignored', 0),
            }
        self._emit('stats', {'hosts': hosts})
        self._close_stream()


def _json_list(value):
    if not value:
        return None
    try:
        items = json.loads(value)
    except Exception:
        return None
    return [_text(item) for item in items] if isinstance(items, list) else None


def _last_line(value):
    text = _text(value)
    if not text:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else None


def _call_with(obj, method, arg):
    func = getattr(obj, method, None)
    if func is None:
        return None
    try:
        return func(arg)
    except Exception:
        return None
