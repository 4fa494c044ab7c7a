// `peregrine events`: decoded, state-enriched events as Falco-field JSON lines on real samples.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { main } from '../../src/cli/main.js';
import { describeShared, DATA } from '../helpers/shared.js';

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
    this.text += chunk.toString();
    cb();
  }
}

async function cli(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const stdout = new Sink();
  const stderr = new Sink();
  const code = await main(args, { stdout, stderr, env: {}, cwd: process.cwd() });
  return { code, out: stdout.text, err: stderr.text };
}

describeShared('peregrine events', () => {
  it('prints the default fields for a Tetragon export', async () => {
    const r = await cli(['events', join(DATA, 'tetragon', 'testdata-events.jsonl')]);
    expect(r.code).toBe(0);
    const rows = r.out.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.length).toBe(3);
    expect(rows[0]).toMatchObject({ 'evt.type': 'execve', 'proc.name': 'netserver', 'container.id': '19a02291e106', 'k8s.pod.name': 'tiefighter' });
    expect(Object.keys(rows[0]!)).toContain('proc.aname[2]');
  });

  it('prints chosen fields, exact nanosecond times, and state-derived values for sysdig output', async () => {
    const r = await cli(['events', '--field', 'evt.rawtime', '--fields', 'evt.type,fd.name,proc.pname,evt.arg.flags',
      join(DATA, 'sysdig-json-from-scap', 'falco-test-trace_files__cat_write.sysdig-j.jsonl')]);
    expect(r.code).toBe(0);
    const lines = r.out.trim().split('\n');
    expect(lines[0]).toBe('{"evt.rawtime":1470327477881730713,"evt.type":"execve","fd.name":null,"proc.pname":"bash","evt.arg.flags":null}');
    expect(lines).toContain('{"evt.rawtime":1470327477881785348,"evt.type":"open","fd.name":"/etc/ld.so.cache","proc.pname":"bash","evt.arg.flags":"O_RDONLY|O_CLOEXEC"}');
  });

  it('replays a .scap capture through sysdig', async () => {
    const r = await cli(['events', '--fields', 'evt.type,proc.name,fd.name', '--stats', join(DATA, 'falco-test-trace_files', 'cat_write.scap')]);
    expect(r.code).toBe(0);
    expect(r.out).toContain('{"evt.type":"open","proc.name":"cat","fd.name":"/dev/null"}');
    expect(r.err).toMatch(/events from \d+ records \(format falco-json\); 0 bad/);
  });

  it('fails with a clear message on a capture sysdig cannot read', async () => {
    const r = await cli(['events', join(DATA, 'falcosecurity-libs-captures', 'curl_google_comments.scap')]);
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/sysdig cannot read .*curl_google_comments\.scap/);
  });
});

describe('peregrine events – usage and bad input', () => {
  it('rejects an unknown field and an unknown format with usage', async () => {
    expect((await cli(['events', '--field', 'proc.nmae', 'x'])).err).toMatch(/did you mean 'proc.name'/);
    const r = await cli(['events', '--format', 'xml', 'x']);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/unknown --format 'xml'/);
  });

  it('counts and reports bad lines; the stream goes on', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-cli-'));
    const p = join(dir, 'mixed.json');
    writeFileSync(p, ['{"type":"execve","ts":"1","pid":5,"comm":"sh","exe":"/bin/sh","argv":["sh"],"res":0}', '{broken', '{"type":"open","ts":"2"}',
      '{"type":"openat","ts":"3","pid":5,"res":3,"args":{"name":"/etc/hosts","flags":0}}'].join('\n'));
    const r = await cli(['events', '--fields', 'evt.type,proc.name,fd.name', p]);
    expect(r.code).toBe(0);
    expect(r.out.trim().split('\n')).toEqual(['{"evt.type":"execve","proc.name":"sh","fd.name":null}', '{"evt.type":"openat","proc.name":"sh","fd.name":"/etc/hosts"}']);
    expect(r.err).toMatch(/mixed\.json:2: bad record \(invalid-json\)/);
    expect(r.err).toMatch(/mixed\.json:3: bad record \(missing-field\): missing "pid"/);
    expect(r.err).toMatch(/2 events from 4 records \(format native\); 2 bad \(invalid-json 1, missing-field 1\)/);
  });
});
