// eBPF sensor – the real thing: starts sensor/peregrine.bt under bpftrace on this kernel, performs
// real actions in child processes (read /etc/shadow, create and remove a file below /etc, open a
// file with a hostile name, TCP/IPv6/unix connects and an accept, ptrace attach, chmod, mount,
// setuid, a process in a container-like cgroup, …) and checks that the expected native JSON lines
// arrive, and that every line the sensor produced is valid against the native schema. Skips only
// where the machine cannot load eBPF (not root, no BTF, no bpftrace), and says why.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, rmdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startEbpfSensor, SENSOR_STRLEN, type EbpfSensor } from '../../src/ingest/ebpf.js';
import { cgroupMounts } from '../../src/ingest/ebpf-cgroups.js';
import { ebpfUnavailable } from '../helpers/ebpf.js';
import { loadNativeSchema, validate } from '../helpers/json-schema.js';

const run = promisify(execFile);

const why = ebpfUnavailable();
if (why !== undefined) {
  console.warn(`\n*** eBPF sensor tests SKIPPED — this machine cannot load the sensor: ${why} ***\n`);
}

type Ev = Record<string, unknown> & { type: string; pid: number; args?: Record<string, unknown> };
const which = (bin: string): string | undefined => {
  for (const d of (process.env.PATH ?? '').split(':')) if (d !== '' && existsSync(join(d, bin))) return join(d, bin);
  return undefined;
};

describe.skipIf(why !== undefined)('eBPF sensor – live kernel', () => {
  const schema = loadNativeSchema();
  const tok = randomBytes(4).toString('hex');
  const events: Ev[] = [];
  const invalid: string[] = [];
  let sensor: EbpfSensor | undefined;
  let collecting: Promise<void> | undefined;
  let dir = '';
  const cgroupDirs: string[] = [];
  const pids: Record<string, number> = {};
  const children: ChildProcess[] = [];

  /** Waits until an event matches (the sensor reports with a short delay), then returns it. */
  async function find(what: string, pred: (e: Ev) => boolean, timeoutMs = 15_000): Promise<Ev> {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const e = events.find(pred);
      if (e !== undefined) return e;
      if (Date.now() > until) throw new Error(`no event: ${what} (${events.length} events seen)`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Runs a program to completion and records its pid under `name`. */
  function start(name: string, cmd: string, args: string[], opts: { cwd?: string } = {}): Promise<{ stdout: string; code: number | null }> {
    return new Promise((resolve, reject) => {
      const c = spawn(cmd, args, { cwd: opts.cwd, stdio: ['ignore', 'pipe', 'pipe'] });
      if (c.pid !== undefined) pids[name] = c.pid;
      let stdout = '';
      c.stdout.on('data', (b: Buffer) => { stdout += b.toString(); });
      c.on('error', reject);
      c.on('close', (code) => resolve({ stdout, code }));
    });
  }

  const cgMounts = cgroupMounts(readFileSync('/proc/self/mountinfo', 'utf8'), 'memory');
  const hex64 = randomBytes(32).toString('hex');
  const hex64b = randomBytes(32).toString('hex');
  const podUid = randomUUID();
  // systemd driver layout (cgroup v2), and cgroupfs driver layout
  const k8sRel = `kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod${podUid.replaceAll('-', '_')}.slice/cri-containerd-${hex64}.scope`;
  const dockerRel = `docker/${hex64b}`;
  const cgRoot = cgMounts.v2 ?? cgMounts.v1;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'pg-ebpf-'));
    sensor = startEbpfSensor({ ignorePids: [process.pid], onNotice: (l) => console.warn(`bpftrace: ${l}`) });
    collecting = (async () => {
      for await (const line of sensor!.lines) {
        let ev: Ev;
        try {
          ev = JSON.parse(line) as Ev;
        } catch {
          invalid.push(`not JSON: ${line}`);
          continue;
        }
        const errs = validate(schema, ev);
        if (errs.length > 0) invalid.push(`${errs.join('; ')} in ${line}`);
        events.push(ev);
      }
    })();
    await sensor.ready;

    // the actions, one after another (each in its own processes, none of them ignored)
    await start('catShadow', 'cat', ['/etc/shadow']);
    await start('shEtc', 'sh', ['-c', `touch /etc/peregrine-${tok} && rm /etc/peregrine-${tok}`]);
    await start('relative', 'cat', ['hostname'], { cwd: '/etc' });
    writeFileSync(join(dir, `f-${tok}`), 'x');
    await start('chmod', 'chmod', ['600', join(dir, `f-${tok}`)]);
    await start('mv', 'mv', [join(dir, `f-${tok}`), join(dir, `g-${tok}`)]);
    await start('rmRel', 'sh', ['-c', `mkdir -p ${dir}/tree/sub && touch ${dir}/tree/sub/leaf && rm -r ${dir}/tree`]);
    await start('hostile', process.execPath, ['-e', 'require("fs").writeFileSync(Buffer.from(process.argv[1], "hex"), "x")', Buffer.from(hostilePath()).toString('hex')]);
    await start('long', 'cat', [`/${'p'.repeat(200)}`]);
    await start('longArg', 'sh', ['-c', `true ${'q'.repeat(300)}-${tok}`]);
    mkdirSync(join(dir, 'mnt'));
    await start('mount', 'mount', ['-t', 'tmpfs', `pg-${tok}`, join(dir, 'mnt')]);
    await start('umount', 'umount', [join(dir, 'mnt')]);
    if (which('setpriv') !== undefined) await start('setpriv', 'setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', 'true']);
    if (process.arch === 'x64' && which('perl') !== undefined) {
      await start('memfd', 'perl', ['-e', `my $n = "pg-${tok}"; syscall(319, $n, 0) >= 0 or exit 1`]);
    }
    // TCP over IPv4 and IPv6 and a unix socket: a server process accepts one connection per listener
    const sock = join(dir, `s-${tok}.sock`);
    const server = spawn(process.execPath, ['-e', `
      const net = require('net'); const out = {}; let n = 0;
      const listen = (key, ...a) => new Promise((res) => { const s = net.createServer((c) => { c.destroy(); s.close(); });
        s.on('error', () => res()); s.listen(...a, () => { out[key] = s.address().port ?? a[0]; res(); }); });
      (async () => { await listen('v4', 0, '127.0.0.1'); await listen('v6', 0, '::1'); await listen('unix', ${JSON.stringify(sock)});
        console.log(JSON.stringify(out)); })();`], { stdio: ['ignore', 'pipe', 'inherit'] });
    children.push(server);
    pids.server = server.pid!;
    const ports = await new Promise<Record<string, number | string>>((res) => {
      server.stdout!.once('data', (b: Buffer) => res(JSON.parse(b.toString()) as Record<string, number | string>));
    });
    const client = (name: string, target: string): Promise<unknown> => start(name, process.execPath, ['-e', `
      const t = ${target}; const c = require('net').connect(t);
      c.on('connect', () => { console.log(c.localPort ?? ''); c.destroy(); }); c.on('error', () => process.exit(3));`]);
    pids.v4port = Number(ports.v4);
    const v4 = await start('v4client', process.execPath, ['-e', `
      const c = require('net').connect(${Number(ports.v4)}, '127.0.0.1');
      c.on('connect', () => { console.log(c.localPort); c.destroy(); }); c.on('error', () => process.exit(3));`]);
    pids.v4local = Number(v4.stdout.trim());
    if (ports.v6 !== undefined) {
      pids.v6port = Number(ports.v6);
      await client('v6client', `{ port: ${Number(ports.v6)}, host: '::1' }`);
    }
    await client('unixclient', `{ path: ${JSON.stringify(sock)} }`);

    // ptrace: strace attaches to a sleeping process
    if (which('strace') !== undefined) {
      const sleeper = spawn('sleep', ['30'], { stdio: 'ignore' });
      children.push(sleeper);
      pids.sleeper = sleeper.pid!;
      const st = spawn('strace', ['-e', 'trace=none', '-o', '/dev/null', '-p', String(sleeper.pid)], { stdio: 'ignore' });
      pids.strace = st.pid!;
      await new Promise((r) => setTimeout(r, 700));
      st.kill('SIGINT');
      await new Promise((r) => st.once('close', r));
    }

    // processes in container-like cgroups
    if (cgRoot !== undefined) {
      for (const rel of [k8sRel, dockerRel]) {
        const path = join(cgRoot, rel);
        mkdirSync(path, { recursive: true });
        let p = rel;
        for (;;) {
          cgroupDirs.push(join(cgRoot, p));
          const i = p.lastIndexOf('/');
          if (i < 0) break;
          p = p.slice(0, i);
        }
        await start(rel === k8sRel ? 'k8s' : 'docker', 'sh', ['-c', `echo $$ > ${path}/cgroup.procs && exec cat /etc/hostname`]);
      }
    }
  }, 240_000);

  afterAll(async () => {
    for (const c of children) c.kill('SIGKILL');
    await sensor?.stop();
    await collecting?.catch(() => undefined);
    if (dir !== '') rmSync(dir, { recursive: true, force: true });
    for (const d of [...new Set(cgroupDirs)].sort((a, b) => b.length - a.length)) {
      try { rmdirSync(d); } catch { /* still busy or shared */ }
    }
  }, 60_000);

  function hostilePath(): Buffer {
    // quotes, backslash, newline, control byte, UTF-8, an invalid byte, and an attempt at a forged line
    return Buffer.concat([
      Buffer.from(`${dir}/h"q\\b\nn\u0001é-`),
      Buffer.from([0xff]),
      Buffer.from(`x"},"type":"forged","pid":1}\n{"type":"forged","ts":"1","pid":1,"args":{"name":"-${tok}`),
    ]);
  }

  it('reports cat reading /etc/shadow: its execve (exe, argv, cwd, ids) and the openat', async () => {
    const pid = pids.catShadow!;
    const exec = await find('execve of cat', (e) => e.type === 'execve' && e.pid === pid && e.res === 0);
    expect(exec).toMatchObject({ comm: 'cat', uid: 0, gid: 0, exe: realpathSync(which('cat')!), argv: ['cat', '/etc/shadow'], cwd: process.cwd() });
    expect(typeof exec.ppid).toBe('number');
    expect(exec.ts).toMatch(/^[0-9]{19}$/);
    const open = await find('open of /etc/shadow', (e) => e.pid === pid && ['open', 'openat'].includes(e.type) && e.args?.name === '/etc/shadow');
    expect(open.res).toBeGreaterThanOrEqual(0);
    expect(Number(open.args!.flags) & 3).toBe(0); // O_RDONLY
    expect(open.comm).toBe('cat');
    const exit = await find('procexit of cat', (e) => e.type === 'procexit' && e.pid === pid);
    expect(exit.args).toMatchObject({ status: 0, ret: 0 });
  });

  it('reports creating then removing a file below /etc, and the fork that started each command', async () => {
    const name = `/etc/peregrine-${tok}`;
    const created = await find('creation below /etc', (e) => ['open', 'openat', 'creat'].includes(e.type) && e.args?.name === name);
    expect(Number(created.args!.flags) & 0o100).toBe(0o100); // O_CREAT
    expect(created.res).toBeGreaterThanOrEqual(0);
    const removed = await find('unlink below /etc', (e) => ['unlink', 'unlinkat'].includes(e.type) && (e.args?.name === name || e.args?.path === name));
    expect(removed).toMatchObject({ comm: 'rm', res: 0 });
    const fork = await find('fork of sh', (e) => ['clone', 'fork', 'vfork', 'clone3'].includes(e.type) && e.ppid === pids.shEtc && e.res === 0);
    expect(fork.pid).not.toBe(pids.shEtc);
    const parentView = await find('parent view of the fork', (e) => e.type === fork.type && e.pid === pids.shEtc && e.res === fork.pid);
    expect(parentView.args).toEqual(fork.args);
  });

  it('resolves relative paths: the cwd of an AT_FDCWD open, the directory of a dirfd unlinkat', async () => {
    const open = await find('relative open', (e) => e.pid === pids.relative && e.type === 'openat' && e.args?.name === 'hostname');
    expect(open).toMatchObject({ cwd: '/etc', args: { dirfd: -100 } });
    const leaf = await find('rm -r of the leaf', (e) => e.type === 'unlinkat' && e.args?.name === 'leaf');
    expect(leaf.dirpath).toBe(`${dir}/tree/sub`);
    expect(Number(leaf.args!.dirfd)).toBeGreaterThanOrEqual(0);
  });

  it('carries a hostile file name exactly, and no forged event appears', async () => {
    const want = hostilePath().toString('utf8');
    expect(want).toContain('\ufffd');
    const open = await find('open of the hostile name', (e) => e.pid === pids.hostile && e.type === 'openat' && e.args?.name === want);
    expect(open.res).toBeGreaterThanOrEqual(0);
    expect(events.some((e) => e.type === 'forged')).toBe(false);
  });

  it('flags a path longer than the sensor string limit, and joins a long argv element from its chunks', async () => {
    const cut = await find('long path', (e) => e.pid === pids.long && e.type === 'openat' && String(e.args?.name).startsWith('/ppp'));
    expect(cut.args!.name).toBe(`/${'p'.repeat(SENSOR_STRLEN - 2)}`);
    expect(cut.trunc).toEqual(['args.name']);
    expect(cut.res).toBe(-2);
    const exec = await find('execve with a long argument', (e) => e.type === 'execve' && e.pid === pids.longArg && e.res === 0);
    expect(exec.argv).toEqual(['sh', '-c', `true ${'q'.repeat(300)}-${tok}`]);
    expect(exec.trunc).toBeUndefined();
  });

  it('reports chmod, rename, mount and umount with their arguments', async () => {
    const chmod = await find('chmod', (e) => e.pid === pids.chmod && ['chmod', 'fchmodat'].includes(e.type));
    expect(chmod).toMatchObject({ res: 0, args: { filename: join(dir, `f-${tok}`), mode: 0o600 } });
    const mv = await find('rename', (e) => e.pid === pids.mv && e.type.startsWith('rename'));
    expect(mv).toMatchObject({ res: 0, args: { oldpath: join(dir, `f-${tok}`), newpath: join(dir, `g-${tok}`) } });
    const mount = await find('mount', (e) => e.pid === pids.mount && e.type === 'mount');
    expect(mount).toMatchObject({ res: 0, args: { dev: `pg-${tok}`, dir: join(dir, 'mnt'), type: 'tmpfs' } });
    const umount = await find('umount', (e) => e.pid === pids.umount && e.type === 'umount2');
    expect(umount).toMatchObject({ res: 0, args: { name: join(dir, 'mnt') } });
  });

  it.skipIf(which('setpriv') === undefined)('reports setuid-family calls, and the new uid on the events that follow', async () => {
    const set = await find('setuid family', (e) => e.pid === pids.setpriv && ['setuid', 'setreuid', 'setresuid'].includes(e.type) && Object.values(e.args ?? {}).includes(65534));
    expect(set.res).toBe(0);
    const exec = await find('execve after setuid', (e) => e.pid === pids.setpriv && e.type === 'execve' && e.comm === 'true');
    expect(exec).toMatchObject({ uid: 65534, gid: 65534 });
  });

  it.skipIf(process.arch !== 'x64' || which('perl') === undefined)('reports memfd_create with its name', async () => {
    const ev = await find('memfd_create', (e) => e.pid === pids.memfd && e.type === 'memfd_create');
    expect(ev.args).toMatchObject({ name: `pg-${tok}`, flags: 0 });
    expect(ev.res).toBeGreaterThanOrEqual(0);
  });

  it('reports TCP connects over IPv4 and IPv6 with both ends, the accept, the socket, and a unix connect', async () => {
    const v4 = await find('IPv4 connect', (e) => e.pid === pids.v4client && e.type === 'connect');
    expect(v4.args).toMatchObject({ addr: { family: 'inet', ip: '127.0.0.1', port: pids.v4port, proto: 'tcp', local: { ip: '127.0.0.1', port: pids.v4local } } });
    expect([0, -115]).toContain(v4.res); // EINPROGRESS: node connects non-blocking
    const sock = await find('socket of the client', (e) => e.pid === pids.v4client && e.type === 'socket' && e.args?.domain === 2);
    expect(Number(sock.args!.type) & 0xf).toBe(1); // SOCK_STREAM
    const acc = await find('accept of the server', (e) => e.pid === pids.server && e.type.startsWith('accept') && (e.args?.addr as { port?: number } | undefined)?.port === pids.v4local);
    expect(acc.args).toMatchObject({ fd: acc.res, addr: { family: 'inet', ip: '127.0.0.1', proto: 'tcp', local: { ip: '127.0.0.1', port: pids.v4port } } });
    if (pids.v6port !== undefined) {
      const v6 = await find('IPv6 connect', (e) => e.pid === pids.v6client && e.type === 'connect');
      expect(v6.args).toMatchObject({ addr: { family: 'inet6', ip: '::1', port: pids.v6port, proto: 'tcp' } });
    } else {
      console.warn('*** no IPv6 loopback on this machine: the IPv6 connect was not exercised ***');
    }
    const unix = await find('unix connect', (e) => e.pid === pids.unixclient && e.type === 'connect');
    expect(unix.args).toMatchObject({ addr: { family: 'unix', path: join(dir, `s-${tok}.sock`) } });
  });

  it.skipIf(which('strace') === undefined)('reports strace attaching with ptrace', async () => {
    const ev = await find('ptrace attach', (e) => e.pid === pids.strace && e.type === 'ptrace' && e.args?.pid === pids.sleeper);
    expect([16, 0x4206]).toContain(ev.args!.request); // PTRACE_ATTACH or PTRACE_SEIZE
    expect(ev.res).toBe(0);
  });

  it.skipIf(cgRoot === undefined)('reports the cgroup path, with the 64-hex container id, of processes in container cgroups', async () => {
    const k8s = await find('execve in the kubepods cgroup', (e) => e.type === 'execve' && e.pid === pids.k8s && e.comm === 'cat');
    expect(k8s.cgroup).toBe(`/${k8sRel}`);
    const open = await find('open in the kubepods cgroup', (e) => e.pid === pids.k8s && e.type === 'openat' && e.args?.name === '/etc/hostname');
    expect(open.cgroup).toBe(`/${k8sRel}`);
    const docker = await find('execve in the docker cgroup', (e) => e.type === 'execve' && e.pid === pids.docker && e.comm === 'cat');
    expect(docker.cgroup).toBe(`/${dockerRel}`);
    expect(String(docker.cgroup)).toContain(hex64b);
  });

  it('produces only valid native JSON lines, never reports its own process, and loses nothing at this rate', async () => {
    await find('anything', () => true);
    expect(invalid).toEqual([]);
    expect(events.some((e) => e.pid === process.pid)).toBe(false);
    expect(events.some((e) => e.pid === sensor!.stats().pid)).toBe(false);
    const stats = sensor!.stats();
    expect(stats).toMatchObject({ running: true, lost: 0, malformed: 0 });
    expect(stats.probes).toBeGreaterThan(50);
  });
});
