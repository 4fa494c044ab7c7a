// Dockerfile – checked by reading it (no Docker daemon here): stages, base images pinned by digest,
// the build steps, bpftrace in the runtime, and a final image with no shell, no package manager, no
// RUN, a non-root default user and an exec-form entry point.
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '../helpers/shared.js';

interface Instr { readonly op: string; readonly args: string }
interface Stage { readonly from: string; readonly name: string; readonly instrs: Instr[] }

/** Instructions with continuation lines joined and comments dropped. */
function instructions(text: string): Instr[] {
  const out: Instr[] = [];
  let cur = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (cur === '' && (line === '' || line.startsWith('#'))) continue;
    if (line.startsWith('#')) continue;
    cur += cur === '' ? line : ` ${line}`;
    if (cur.endsWith('\\')) {
      cur = cur.slice(0, -1).trimEnd();
      continue;
    }
    const sp = cur.indexOf(' ');
    out.push({ op: cur.slice(0, sp).toUpperCase(), args: cur.slice(sp + 1).trim() });
    cur = '';
  }
  return out;
}

const text = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const all = instructions(text);
const args = new Map<string, string>();
const stages: Stage[] = [];
for (const i of all) {
  if (i.op === 'ARG' && stages.length === 0) {
    const [k, v = ''] = i.args.split('=');
    args.set(k!, v);
  } else if (i.op === 'FROM') {
    const m = /^(\S+)(?:\s+AS\s+(\S+))?$/i.exec(i.args)!;
    const image = m[1]!.replace(/^\$\{(\w+)\}$/, (_, a: string) => args.get(a) ?? '');
    stages.push({ from: image, name: m[2] ?? '', instrs: [] });
  } else {
    stages.at(-1)?.instrs.push(i);
  }
}
const stage = (name: string): Stage => stages.find((s) => s.name === name)!;
const runs = (s: Stage): string => s.instrs.filter((i) => i.op === 'RUN').map((i) => i.args).join('\n');
const last = stages.at(-1)!;

describe('Dockerfile', () => {
  it('has a build stage, an assembly stage and a final runtime stage', () => {
    expect(stages.map((s) => s.name)).toEqual(['build', 'assemble', 'runtime']);
  });

  it('pins every base image by digest (the final stage starts from scratch)', () => {
    for (const s of stages) {
      if (s.from === 'scratch') continue;
      expect(s.from, s.name).toMatch(/^[a-z0-9./-]+:[\w.-]+@sha256:[0-9a-f]{64}$/);
    }
    expect(last.from).toBe('scratch');
  });

  it('builds with npm ci, npm run build and drops dev dependencies with npm prune --omit=dev', () => {
    const r = runs(stage('build'));
    expect(r).toMatch(/npm ci\b/);
    expect(r).toMatch(/npm run build\b/);
    expect(r).toMatch(/npm prune --omit=dev\b/);
    expect(r.indexOf('npm run build')).toBeLessThan(r.indexOf('npm prune'));
    // dependencies are installed from the lock file before the sources are copied (layer caching)
    const ops = stage('build').instrs.map((i) => `${i.op} ${i.args}`);
    expect(ops.findIndex((o) => o.startsWith('COPY package.json package-lock.json'))).toBeLessThan(ops.findIndex((o) => o.startsWith('COPY . .')));
  });

  it('installs bpftrace in the runtime file system and copies only the built app into it', () => {
    const a = stage('assemble');
    expect(runs(a)).toMatch(/apt-get install -y --no-install-recommends bpftrace\b/);
    const copies = a.instrs.filter((i) => i.op === 'COPY').map((i) => i.args);
    for (const c of copies) expect(c).toMatch(/^--from=build \/src\//);
    const sources = copies.map((c) => c.split(/\s+/)[1]!.replace('/src/', ''));
    expect(sources.sort()).toEqual(['dist', 'node_modules', 'package.json', 'rules', 'schema', 'sensor']);
  });

  it('deletes shells, package managers, perl and setuid programs in the last RUN of the assembly', () => {
    const a = stage('assemble');
    const lastRun = a.instrs.filter((i) => i.op === 'RUN').at(-1)!.args;
    expect(a.instrs.at(-1)!.op).toBe('RUN');
    for (const path of ['/usr/bin/sh', '/usr/bin/dash', '/usr/bin/bash', '/bin/sh', '/bin/bash', '/usr/bin/apt', '/usr/bin/dpkg', '/var/lib/dpkg',
      '/usr/local/bin/npm', '/usr/local/lib/node_modules/npm', '/usr/local/bin/corepack', '/usr/bin/perl']) {
      expect(lastRun, path).toContain(path);
    }
    expect(lastRun).toMatch(/find \/ -xdev -type f -perm \/6000 -exec rm -f \{\} \+/);
    // the shell is removed last, after every command that needs it
    expect(lastRun.lastIndexOf('/bin/sh')).toBeGreaterThan(lastRun.lastIndexOf('&&'));
  });

  it('makes the final image from the assembled file system alone, with no RUN, as a non-root user', () => {
    expect(last.instrs.filter((i) => i.op === 'RUN')).toEqual([]);
    const copies = last.instrs.filter((i) => i.op === 'COPY');
    expect(copies.map((c) => c.args)).toEqual(['--from=assemble / /']);
    const user = last.instrs.filter((i) => i.op === 'USER').at(-1)!.args;
    const [uid, gid] = user.split(':').map(Number);
    expect(uid).toBeGreaterThan(0);
    expect(gid).toBeGreaterThan(0);
    expect(runs(stage('assemble'))).toContain(`nonroot:x:${uid}:${gid}`);
  });

  it('starts node on the CLI in exec form (no shell to start it with), and exposes the metrics port', () => {
    const entry = last.instrs.find((i) => i.op === 'ENTRYPOINT')!.args;
    expect(JSON.parse(entry)).toEqual(['/usr/local/bin/node', '/opt/peregrine/dist/cli/main.js']);
    for (const op of ['CMD', 'HEALTHCHECK']) {
      const i = last.instrs.find((x) => x.op === op)!;
      const json = op === 'HEALTHCHECK' ? i.args.replace(/^CMD\s+/, '') : i.args;
      expect(() => JSON.parse(json) as unknown, op).not.toThrow();
    }
    expect(last.instrs.find((i) => i.op === 'EXPOSE')!.args).toBe('8765');
  });

  it('pins V8 heap sizing in NODE_OPTIONS with flags node accepts and sizes its heap by', () => {
    const env = last.instrs.filter((i) => i.op === 'ENV').map((i) => i.args).join(' ');
    const opts = /NODE_OPTIONS="([^"]*)"/.exec(env)?.[1] ?? '';
    const old = Number(/--max-old-space-size=(\d+)/.exec(opts)?.[1]);
    const semi = Number(/--max-semi-space-size=(\d+)/.exec(opts)?.[1]);
    expect(old).toBeGreaterThanOrEqual(256); // room for large process and fd tables
    expect(semi).toBeGreaterThan(0);
    const r = spawnSync(process.execPath, ['-p', "require('v8').getHeapStatistics().heap_size_limit"], {
      env: { ...process.env, NODE_OPTIONS: opts }, encoding: 'utf8',
    });
    expect(r.status, r.stderr).toBe(0);
    // the limit is the old space plus the young generation (three semi-spaces' worth)
    expect(Number(r.stdout.trim()) / 1048576).toBe(old + 3 * semi);
  });

  it('keeps the build context lean and free of local artefacts', () => {
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((l) => l.trim());
    for (const p of ['.git', 'node_modules', 'dist', 'test']) expect(ignore).toContain(p);
  });
});
