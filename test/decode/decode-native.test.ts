// Peregrine native JSON lines: the schema's examples, argument rendering into Falco text, socket
// addresses as fd info, strict typing of the fields the schema defines.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/decode/index.js';
import { ROOT } from '../helpers/shared.js';
import { field, fields, run } from '../helpers/events.js';

const schema = JSON.parse(readFileSync(join(ROOT, 'schema', 'native-event.schema.json'), 'utf8')) as { examples: object[]; required: string[] };
const line = (o: object): string => JSON.stringify(o);

describe('native decoder – the schema examples', () => {
  it('decodes every example, in order, into what the rules see', () => {
    const { snapshots, decoder } = run(schema.examples.map(line), 'auto', [
      'evt.type', 'proc.name', 'proc.cmdline', 'proc.exepath', 'proc.tty', 'container.id', 'k8s.pod.uid', 'fd.name', 'fd.num',
      'evt.arg.flags', 'evt.rawarg.flags', 'evt.is_open_read', 'fd.sip', 'fd.sport', 'fd.l4proto', 'fd.typechar', 'evt.rawtime',
    ]);
    expect(decoder.detected).toBe('native');
    expect(decoder.stats.bad).toBe(0);
    expect(snapshots[0]).toMatchObject({
      'evt.type': 'execve', 'proc.name': 'cat', 'proc.cmdline': 'cat /etc/shadow', 'proc.exepath': '/usr/bin/cat', 'proc.tty': 34816,
      'container.id': '0123456789ab', 'k8s.pod.uid': null, 'evt.rawtime': 1732662000123456789n,
    });
    expect(snapshots[1]).toMatchObject({
      'evt.type': 'openat', 'fd.name': '/etc/shadow', 'fd.num': 3, 'evt.arg.flags': 'O_RDONLY|O_CLOEXEC', 'evt.rawarg.flags': 524288,
      'evt.is_open_read': true, 'container.id': '0123456789ab', // the same process (pid 4242): its container is known
    });
    expect(snapshots[2]).toMatchObject({ 'evt.type': 'connect', 'fd.sip': '10.96.0.1', 'fd.sport': 443, 'fd.l4proto': 'tcp', 'fd.typechar': '4', 'fd.name': '10.96.0.1:443' });
  });
});

describe('native decoder – arguments and fds', () => {
  const base = { ts: '1732662000000000000', pid: 100, comm: 'x' };

  it('renders ptrace requests, socket domains and chmod modes as Falco text, raw values in evt.rawarg', () => {
    const { events } = run([
      line({ ...base, type: 'ptrace', res: 0, args: { request: 16, pid: 200 } }),
      line({ ...base, type: 'socket', res: 5, args: { domain: 17, type: 3, proto: 768 } }),
      line({ ...base, type: 'fchmodat', res: 0, args: { dirfd: -100, filename: '/tmp/x', mode: 0o4755 } }),
      line({ ...base, type: 'unshare', res: 0, args: { flags: 0x10020000 } }),
    ], 'native');
    expect([field(events[0]!, 'evt.arg.request'), field(events[0]!, 'evt.rawarg.request')]).toEqual(['PTRACE_ATTACH', 16]);
    expect(field(events[1]!, 'evt.arg.domain')).toBe('AF_PACKET');
    expect(field(events[2]!, 'evt.arg.mode')).toContain('S_ISUID');
    expect(field(events[2]!, 'evt.arg.mode')).toContain('S_IXUSR');
    expect(field(events[3]!, 'evt.arg.flags')).toBe('CLONE_NEWNS|CLONE_NEWUSER');
  });

  it('connect with local and remote ends, accept on the server side, IPv6 and unix', () => {
    const { snapshots } = run([
      line({ ...base, type: 'socket', res: 3, args: { domain: 2, type: 1, proto: 0 } }),
      line({ ...base, type: 'connect', res: -115, args: { fd: 3, addr: { family: 'inet', ip: '1.2.3.4', port: 80, local: { ip: '10.0.0.2', port: 5555 } } } }),
      line({ ...base, type: 'accept4', res: 7, args: { addr: { family: 'inet6', ip: '2001:db8::1', port: 40000, proto: 'tcp', local: { ip: '2001:db8::2', port: 22 } } } }),
      line({ ...base, type: 'connect', res: 0, args: { fd: 8, addr: { family: 'unix', path: '/run/docker.sock' } } }),
    ], 'native', ['evt.type', 'fd.num', 'fd.name', 'fd.cip', 'fd.lport', 'fd.rport', 'fd.l4proto', 'fd.connected', 'fd.is_server', 'fd.type', 'evt.res']);
    expect(snapshots[1]).toEqual({
      'evt.type': 'connect', 'fd.num': 3, 'fd.name': '10.0.0.2:5555->1.2.3.4:80', 'fd.cip': '10.0.0.2', 'fd.lport': 5555,
      'fd.rport': 80, 'fd.l4proto': 'tcp', 'fd.connected': true, 'fd.is_server': false, 'fd.type': 'ipv4', 'evt.res': 'EINPROGRESS',
    });
    expect(snapshots[2]).toMatchObject({ 'fd.num': 7, 'fd.name': '2001:db8::1:40000->2001:db8::2:22', 'fd.lport': 22, 'fd.rport': 40000, 'fd.is_server': true, 'fd.type': 'ipv6' });
    expect(snapshots[3]).toMatchObject({ 'fd.type': 'unix', 'fd.name': '/run/docker.sock' });
  });

  it('keeps a numeric ts beyond 2^53 exact and accepts cap sets as hex', () => {
    const ev = run(['{"type":"execve","ts":1732662000123456789,"pid":1,"cap_effective":"0x200000","res":0}'], 'native').events[0]!;
    expect(ev.ts).toBe('1732662000123456789');
    expect(field(ev, 'thread.cap_effective')).toBe('CAP_SYS_ADMIN');
  });
});

describe('native decoder – bad records', () => {
  const cases: [string, string][] = [
    ['{"ts":"1","pid":1}', 'missing-field'],
    ['{"type":"open","pid":1}', 'missing-field'],
    ['{"type":"open","ts":"1"}', 'missing-field'],
    ['{"type":"","ts":"1","pid":1}', 'wrong-type'],
    ['{"type":"open","ts":"1x","pid":1}', 'wrong-type'],
    ['{"type":"open","ts":-5,"pid":1}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":"1"}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":1.5}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":1,"comm":7}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":1,"argv":["a",2]}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":1,"dir":"?"}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":1,"args":[]}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":1,"args":{"x":{"y":1}}}', 'wrong-type'],
    ['{"type":"open","ts":"1","pid":1', 'invalid-json'],
    ['[]', 'not-object'],
    ['7', 'not-object'],
  ];
  it.each(cases)('%s → %s', (text, reason) => {
    const d = createDecoder('native');
    expect(d.decode(text, 1)).toBeUndefined();
    expect(d.stats.bad).toBe(1);
    expect(d.stats.badByReason[reason as keyof typeof d.stats.badByReason]).toBe(1);
  });

  it('logs bad records with their line number, at a bounded rate', () => {
    const logged: string[] = [];
    const d = createDecoder('native', { log: (m) => logged.push(m), logBurst: 3, logIntervalMs: 60_000, sourceName: 'events.json' });
    for (let i = 1; i <= 50; i++) d.decode('{oops', i);
    expect(d.stats.bad).toBe(50);
    expect(logged.length).toBe(3);
    expect(logged[0]).toMatch(/^events\.json:1: bad record \(invalid-json\)/);
  });

  it('drops enter events unless asked to keep them', () => {
    const enter = '{"type":"open","ts":"1","pid":1,"dir":">"}';
    const d = createDecoder('native');
    expect(d.decode(enter, 1)).toBeUndefined();
    expect(d.stats.enterDropped).toBe(1);
    expect(createDecoder('native', { keepEnter: true }).decode(enter, 1)?.dir).toBe('>');
  });

  it('a failed execve does not replace the process image', () => {
    const { events } = run([
      line({ type: 'execve', ts: '1', pid: 9, comm: 'bash', res: 0, exe: '/bin/bash', argv: ['bash'] }),
      line({ type: 'execve', ts: '2', pid: 9, comm: 'bash', res: -2, exe: '/nope', argv: ['nope', 'x'] }),
    ], 'native');
    expect(fields(events[1]!, ['proc.exepath', 'proc.cmdline', 'evt.res'])).toEqual({ 'proc.exepath': '/bin/bash', 'proc.cmdline': 'bash', 'evt.res': 'ENOENT' });
  });
});
