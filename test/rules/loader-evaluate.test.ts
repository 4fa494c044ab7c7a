// Rule loader – the compiled upstream rules match and do not match hand-written events as Falco's
// would: proof that expansion, lists, macros and compilation fit together.
import { beforeAll, expect, it } from 'vitest';
import { eventFromFields, type SyscallEvent } from '../../src/event/types.js';
import { loadRules } from '../../src/rules/load.js';
import type { LoadedRules } from '../../src/rules/loaded.js';
import type { CompiledRule } from '../../src/rules/types.js';
import { typeSetHas } from '../../src/condition/evttypes.js';
import { describeShared, STABLE_RULES } from '../helpers/shared.js';

let loaded: LoadedRules;

function rule(name: string): CompiledRule {
  const r = loaded.rules.find((x) => x.name === name);
  if (r === undefined) throw new Error(`no rule ${name}`);
  return r;
}

/** Whether the rule would fire: indexed under the event's type, and its predicate holds. */
function fires(name: string, ev: SyscallEvent): boolean {
  const r = rule(name);
  return typeSetHas(r.eventTypes, ev.type) && (r.test as (e: SyscallEvent) => boolean)(ev);
}

// Real events have evt.num >= 1; upstream's never_true placeholders are `evt.num=0`.
const base = { 'evt.num': 42, 'container.id': 'host' };

describeShared('upstream rules evaluated on flat events', () => {
  beforeAll(async () => {
    loaded = await loadRules({ paths: [STABLE_RULES] });
    expect(loaded.successful).toBe(true);
  });

  it('Read sensitive file untrusted: cat reading /etc/shadow fires; sshd or /etc/hosts does not', () => {
    const ev = {
      ...base, 'evt.type': 'openat', 'evt.is_open_read': true, 'fd.typechar': 'f', 'fd.num': 3, 'fd.name': '/etc/shadow',
      'fd.directory': '/etc', 'proc.name': 'cat', 'proc.pname': 'bash', 'proc.cmdline': 'cat /etc/shadow', 'proc.args': '/etc/shadow',
      'proc.exepath': '/usr/bin/cat', 'user.name': 'root',
    };
    expect(fires('Read sensitive file untrusted', eventFromFields(ev))).toBe(true);
    expect(fires('Read sensitive file untrusted', eventFromFields({ ...ev, 'proc.name': 'sshd' }))).toBe(false);
    expect(fires('Read sensitive file untrusted', eventFromFields({ ...ev, 'fd.name': '/etc/hosts' }))).toBe(false);
    expect(fires('Read sensitive file untrusted', eventFromFields({ ...ev, 'evt.is_open_read': false }))).toBe(false);
    // A trusted parent chain (run_by_qualys): proc.aname[2] = qualys-cloud-ag.
    expect(fires('Read sensitive file untrusted', eventFromFields({ ...ev, 'proc.aname[2]': 'qualys-cloud-ag' }))).toBe(false);
    // Not indexed under other event types.
    expect(fires('Read sensitive file untrusted', eventFromFields({ ...ev, 'evt.type': 'read' }))).toBe(false);
    // The output renders with <NA> for what the event lacks.
    const out = rule('Read sensitive file untrusted').output.render(eventFromFields(ev));
    expect(out).toBe('Sensitive file opened for reading by non-trusted program | file=/etc/shadow gparent=<NA> ggparent=<NA> gggparent=<NA>'
      + ' evt_type=openat user=root user_uid=<NA> user_loginuid=<NA> process=cat proc_exepath=/usr/bin/cat parent=bash command=cat /etc/shadow terminal=<NA>');
  });

  it('Terminal shell in container: an interactive shell entering a container fires', () => {
    const ev = {
      ...base, 'evt.type': 'execve', 'container.id': '3ad7b26ded6d', 'proc.name': 'bash', 'proc.tty': 34816, 'proc.pname': 'runc:[1:CHILD]',
    };
    expect(fires('Terminal shell in container', eventFromFields(ev))).toBe(true);
    // The parent may have exited already: `not proc.pname exists`.
    const { 'proc.pname': _gone, ...orphan } = ev;
    expect(fires('Terminal shell in container', eventFromFields(orphan))).toBe(true);
    expect(fires('Terminal shell in container', eventFromFields({ ...ev, 'proc.tty': 0 }))).toBe(false);
    expect(fires('Terminal shell in container', eventFromFields({ ...ev, 'container.id': 'host' }))).toBe(false);
    expect(fires('Terminal shell in container', eventFromFields({ ...ev, 'proc.pname': 'sshd' }))).toBe(false);
    expect(fires('Terminal shell in container', eventFromFields({ ...ev, 'proc.name': 'python' }))).toBe(false);
    expect(fires('Terminal shell in container', eventFromFields({ ...ev, 'evt.num': 0 }))).toBe(false);
  });

  it('Search Private Keys or Passwords: grep for a private key header fires (icontains)', () => {
    const ev = { ...base, 'evt.type': 'execve', 'proc.name': 'grep', 'proc.args': '-r "begin rsa private" /home' };
    expect(fires('Search Private Keys or Passwords', eventFromFields(ev))).toBe(true);
    expect(fires('Search Private Keys or Passwords', eventFromFields({ ...ev, 'proc.args': '-r hello /home' }))).toBe(false);
    expect(fires('Search Private Keys or Passwords', eventFromFields({ ...ev, 'proc.name': 'find', 'proc.args': '/ -name id_rsa' }))).toBe(true);
  });

  it('Clear Log Activities: truncating /var/log/auth.log fires; without O_TRUNC it does not', () => {
    const ev = {
      ...base, 'evt.type': 'openat', 'evt.is_open_write': true, 'fd.typechar': 'f', 'fd.num': 4, 'fd.name': '/var/log/auth.log',
      'fd.directory': '/var/log', 'fd.filename': 'auth.log', 'evt.arg.flags': 'O_WRONLY|O_TRUNC', 'proc.name': 'bash',
    };
    expect(fires('Clear Log Activities', eventFromFields(ev))).toBe(true);
    expect(fires('Clear Log Activities', eventFromFields({ ...ev, 'evt.arg.flags': 'O_WRONLY|O_APPEND' }))).toBe(false);
    // A log file name anywhere counts (fd.filename in log_files), except containerd's own snapshots.
    const snapshot = { ...ev, 'fd.name': '/var/lib/containerd/tmpmounts/m1/auth.log', 'fd.directory': '/var/lib/containerd/tmpmounts/m1' };
    expect(fires('Clear Log Activities', eventFromFields(snapshot))).toBe(true);
    expect(fires('Clear Log Activities', eventFromFields({ ...snapshot, 'proc.name': 'containerd' }))).toBe(false);
  });

  it('output_fields are typed', () => {
    const ev = eventFromFields({ ...base, 'evt.type': 'execve', 'proc.name': 'bash', 'proc.tty': 34816, 'user.name': 'root' });
    const fields = rule('Terminal shell in container').output.fields(ev);
    expect(fields['proc.name']).toBe('bash');
    expect(fields['proc.tty']).toBe(34816);
    expect(fields['proc.exepath']).toBeNull();
    expect(Object.keys(fields)).toEqual(rule('Terminal shell in container').output.fieldNames);
  });
});
