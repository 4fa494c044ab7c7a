// Tetragon JSON export — the real samples in ../shared/data/tetragon (docs samples are pretty-printed
// one-event files; the export writes one event per line, so they are compacted here).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/decode/index.js';
import { describeShared, DATA } from '../helpers/shared.js';
import { compactJson, field, fields, readLines, run } from '../helpers/events.js';

const DIR = join(DATA, 'tetragon');
const BOOK = join(DIR, 'security-observability-with-ebpf');
const book = (name: string): string => compactJson(join(BOOK, `${name}.json`));

describeShared('tetragon decoder – real samples', () => {
  it('decodes all 44 sample events, none bad, format auto-detected', () => {
    const lines = [
      ...readLines(join(DIR, 'testdata-events.jsonl')),
      ...readdirSync(BOOK).sort().map((f) => compactJson(join(BOOK, f))),
      compactJson(join(DIR, 'docs-filename-access-process_kprobe.json')),
    ];
    const { decoder, events } = run(lines, 'auto');
    expect(decoder.detected).toBe('tetragon');
    expect(decoder.stats.bad).toBe(0);
    expect(events.length).toBe(44);
  });

  it('process_exec → execve with process, parent, container and pod', () => {
    const [line] = readLines(join(DIR, 'testdata-events.jsonl'));
    const ev = run([line!], 'tetragon').events[0]!;
    expect(fields(ev, [
      'evt.type', 'proc.pid', 'proc.name', 'proc.exepath', 'proc.exe', 'proc.cmdline', 'proc.args', 'proc.cwd', 'user.uid',
      'user.loginuid', 'proc.pname', 'proc.pexepath', 'container.id', 'container.full_id', 'container.name', 'container.image',
      'container.image.repository', 'container.image.tag', 'k8s.ns.name', 'k8s.pod.name', 'k8s.pod.label[class]', 'evt.hostname',
      'evt.time.iso8601',
    ])).toEqual({
      'evt.type': 'execve', 'proc.pid': 68790, 'proc.name': 'netserver', 'proc.exepath': '/usr/bin/netserver',
      'proc.exe': '/usr/bin/netserver', 'proc.cmdline': 'netserver -D', 'proc.args': '-D', 'proc.cwd': '/', 'user.uid': 0,
      'user.loginuid': -1, 'proc.pname': 'containerd-shim', 'proc.pexepath': '/usr/bin/containerd-shim-runc-v2',
      'container.id': '19a02291e106', 'container.full_id': '19a02291e106ce6227b684197be232ea57c4e1a5ab2604a12608c325d701c7f4',
      'container.name': 'spaceship', 'container.image': 'docker.io/tgraf/netperf:latest',
      'container.image.repository': 'docker.io/tgraf/netperf', 'container.image.tag': 'latest', 'k8s.ns.name': 'default',
      'k8s.pod.name': 'tiefighter', 'k8s.pod.label[class]': 'tiefighter', 'evt.hostname': 'my-node',
      'evt.time.iso8601': null, // this sample has no "time"
    });
    // The parent (containerd-shim) runs on the host: its own events would say so.
    expect(ev.proc?.parent?.container?.id).toBe('host');
  });

  it('start times and capabilities: duration and cap_effective as Falco names', () => {
    const ev = run([book('03_security_observability_events__01_reaching_the_host_namespace__privileged-pod-nsenter')], 'tetragon').events[0]!;
    expect(field(ev, 'proc.cmdline')).toBe('nsenter -t 1 -m -u -n -i -p bash');
    expect(field(ev, 'proc.pname')).toBe('bash');
    const caps = field(ev, 'thread.cap_effective') as string;
    expect(caps.split(' ')).toContain('CAP_SYS_ADMIN');
    expect(caps.split(' ')).toContain('CAP_DAC_OVERRIDE'); // "DAC_OVERRIDE" in the sample, prefixed
    // Tetragon dates a process from its exec: the exec event itself is at duration 0.
    expect(field(ev, 'proc.duration')).toBe(0);
    expect(field(ev, 'proc.ppid.duration')).toBe(198_507_000_000); // bash started 11:13:10.871
  });

  it('security_file_permission kprobe → an open for writing of /etc/passwd (fd number unknown)', () => {
    const ev = run([compactJson(join(DIR, 'docs-filename-access-process_kprobe.json'))], 'tetragon').events[0]!;
    expect(fields(ev, ['evt.type', 'fd.name', 'fd.typechar', 'evt.is_open_write', 'evt.is_open_read', 'fd.num', 'evt.res', 'proc.name', 'container.name']))
      .toEqual({
        'evt.type': 'openat', 'fd.name': '/etc/passwd', 'fd.typechar': 'f', 'evt.is_open_write': true, 'evt.is_open_read': false,
        'fd.num': null, 'evt.res': 'SUCCESS', 'proc.name': 'vi', 'container.name': 'file-access',
      });
  });

  it('__x64_sys_read kprobe → read of the file (old Tetragon paths lack the leading /)', () => {
    const ev = run([book('00_process_lifecycle__cat_process_kprobe')], 'tetragon').events[0]!;
    expect(field(ev, 'evt.type')).toBe('read');
    expect(field(ev, 'fd.name')).toBe('/usr/share/elasticsearch/config/elasticsearch.keystore');
    expect(field(ev, 'evt.arg.size')).toBe('65536');
  });

  it('legacy process_connect / process_listen → connect / listen with the socket tuple', () => {
    const c = run([book('00_four_golden_signals__process_connect')], 'tetragon').events[0]!;
    expect(fields(c, ['evt.type', 'fd.cip', 'fd.cport', 'fd.sip', 'fd.sport', 'fd.l4proto', 'fd.name', 'fd.typechar', 'fd.connected']))
      .toEqual({
        'evt.type': 'connect', 'fd.cip': '10.88.0.7', 'fd.cport': 49168, 'fd.sip': '142.250.180.196', 'fd.sport': 80,
        'fd.l4proto': 'tcp', 'fd.name': '10.88.0.7:49168->142.250.180.196:80', 'fd.typechar': '4', 'fd.connected': true,
      });
    const l = run([book('00_four_golden_signals__process_listen')], 'tetragon').events[0]!;
    expect(fields(l, ['evt.type', 'fd.sip', 'fd.sport', 'fd.lport', 'fd.is_server'])).toEqual({
      'evt.type': 'listen', 'fd.sip': '0.0.0.0', 'fd.sport': 9080, 'fd.lport': 9080, 'fd.is_server': true,
    });
  });

  it('a lifecycle: exec, then exit removes the process; the exit still describes it', () => {
    const lines = [book('00_process_lifecycle__nc_process_exec'), book('00_process_lifecycle__nc_process_connect'), book('00_process_lifecycle__nc_process_exit')];
    const { snapshots, tracker } = run(lines, 'tetragon', ['evt.type', 'proc.pid', 'proc.cmdline', 'proc.pname', 'evt.arg.status']);
    expect(snapshots.map((s) => s['evt.type'])).toEqual(['execve', 'connect', 'procexit']);
    expect(snapshots[2]).toMatchObject({ 'proc.cmdline': 'nc raiz3gjkgtfhkkc.not-reverse-shell.com 443', 'proc.pname': 'sh', 'evt.arg.status': '0' });
    expect(tracker.process(38314)).toBeUndefined();
    expect(tracker.stats().exits).toBe(1);
  });

  it('a process with only the `docker` id (no pod) is in that container', () => {
    const ev = run([book('03_security_observability_events__02_persistance__merlin-agent-go-connect')], 'tetragon').events[0]!;
    expect(field(ev, 'container.id')).toBe('a51959123c3b');
  });
});

describe('tetragon decoder – rules of the format', () => {
  it('maps ancestors (proc.aname[N]) when Tetragon exports them', () => {
    const p = (pid: number, binary: string, args = ''): object => ({ pid, binary, arguments: args });
    const line = JSON.stringify({
      process_exec: { process: p(30, '/bin/cat', '/etc/shadow'), parent: p(20, '/bin/sh', '-c x'), ancestors: [p(10, '/usr/sbin/sshd'), p(1, '/sbin/init')] },
      time: '2024-01-01T00:00:00.123456789Z',
    });
    const ev = run([line], 'tetragon').events[0]!;
    expect(fields(ev, ['proc.aname[1]', 'proc.aname[2]', 'proc.aname[3]', 'proc.pcmdline', 'evt.rawtime'])).toEqual({
      'proc.aname[1]': 'sh', 'proc.aname[2]': 'sshd', 'proc.aname[3]': 'init', 'proc.pcmdline': 'sh -c x', 'evt.rawtime': 1704067200123456789n,
    });
    expect(field(ev, 'proc.aname')).toEqual(['sh', 'sshd', 'init']);
    // No pod and no docker id: a host process.
    expect(field(ev, 'container.id')).toBe('host');
  });

  it('skips events that are not syscall activity, and counts records that are not Tetragon', () => {
    const d = createDecoder('tetragon');
    expect(d.decode('{"process_throttle":{"type":"THROTTLE_START"},"time":"2024-01-01T00:00:00Z"}', 1)).toBeUndefined();
    expect(d.decode('{"hello":1}', 2)).toBeUndefined();
    expect(d.decode('{"process_exec":{"process":{"binary":"/x"}}}', 3)).toBeUndefined();
    expect(d.stats).toMatchObject({ skipped: 1, bad: 2 });
  });

  it('quoted arguments keep their spaces', () => {
    const line = JSON.stringify({ process_exec: { process: { pid: 5, binary: '/bin/sh', arguments: '-c "ls -la /tmp" x' } } });
    const ev = run([line], 'tetragon').events[0]!;
    expect(field(ev, 'proc.args[1]')).toBe('ls -la /tmp');
    expect(field(ev, 'proc.cmdline')).toBe('sh -c ls -la /tmp x');
  });
});
