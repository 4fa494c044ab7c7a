// Offline replay of .scap captures through the real sysdig (0.29.3 here): every readable capture in
// ../shared/data yields events carrying the referenced fields; fields this sysdig cannot print are
// dropped with a reason; an unreadable capture and a missing sysdig fail clearly.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createDecoder } from '../../src/decode/index.js';
import { openScap, scapFieldList, SCAP_CORE_FIELDS } from '../../src/ingest/scap.js';
import { StateTracker } from '../../src/state/tracker.js';
import { describeShared, DATA } from '../helpers/shared.js';
import { field } from '../helpers/events.js';

let HAS_SYSDIG = true;
try {
  execFileSync('sysdig', ['--version'], { stdio: 'ignore' });
} catch {
  HAS_SYSDIG = false;
  console.warn('\n*** sysdig not found on PATH: the .scap replay tests are SKIPPED (apt-get install sysdig) ***\n');
}
const describeReplay = HAS_SYSDIG ? describeShared : describe.skip;

/** Fields a rule set references (a mix of what the stable rules use). */
const REFERENCED = [
  'proc.name', 'proc.aname', 'proc.aname[2]', 'proc.pname', 'proc.cmdline', 'proc.pcmdline', 'fd.name', 'fd.nameraw', 'fd.directory',
  'evt.arg.flags', 'evt.arg.request', 'evt.is_open_read', 'fd.typechar', 'user.name', 'container.id', 'fd.net', 'fd.sip.name',
  'proc.pexe', 'thread.cap_effective', 'proc.is_exe_upper_layer', 'evt.time', 'proc.env[HOME]',
];

const CAPTURES = [
  'falco-test-trace_files/cat_write.scap', 'falco-test-trace_files/connect_localhost.scap', 'falco-test-trace_files/empty.scap',
  'falco-test-trace_files/open-multiple-files.scap', 'falco-test-trace_files/ping_sendto.scap', 'falco-test-trace_files/syscall.scap',
  'falco-test-trace_files/psp/privileged.scap', 'falco-test-trace_files/psp/run_as_user_0_container.scap',
  'falco-test-trace_files/psp/run_as_user_65534_container.scap', 'falco-test-trace_files/psp/write_tmp_test.scap',
  'falcosecurity-libs-captures/curl_google.scap', 'falcosecurity-libs-captures/single_ipv6_conn.scap',
  'falcosecurity-libs-captures/test_ipv6_client.scap', 'falcosecurity-libs-captures/sample.scap',
];

describe('scap field list', () => {
  it('adds the core fields, expands "any ancestor" fields to indexed ancestors with pids, drops filter-only fields', () => {
    const { tokens, dropped } = scapFieldList(['proc.aname', 'fd.net', 'proc.aexe[3]', 'evt.arg.flags']);
    for (const f of SCAP_CORE_FIELDS) expect(tokens).toContain(f);
    expect(tokens).toContain('proc.aname[8]');
    expect(tokens).toContain('proc.apid[8]');
    expect(tokens).toContain('proc.apid[3]');
    expect(tokens).not.toContain('proc.aname');
    expect(tokens).not.toContain('fd.net');
    expect(dropped.map((d) => d.field)).toEqual(['fd.net']);
  });
});

describeReplay('scap replay through sysdig', () => {
  it.each(CAPTURES)('%s: every event carries the referenced fields sysdig can print', async (rel) => {
    const warnings: string[] = [];
    const src = await openScap(join(DATA, rel), REFERENCED, { onWarning: (m) => warnings.push(m) });
    // What 0.29.3 cannot print faithfully is reported, never silently wrong.
    const dropped = src.dropped.map((d) => d.field).sort();
    expect(dropped).toEqual(['fd.nameraw', 'fd.net', 'proc.env[HOME]', 'proc.is_exe_upper_layer', 'proc.pexe', 'thread.cap_effective'].sort());
    expect(warnings.length).toBe(1);
    for (const f of dropped) expect(warnings[0]).toContain(f);
    for (const f of REFERENCED.filter((x) => !dropped.includes(x) && x !== 'proc.aname')) expect(src.fields).toContain(f);
    const decoder = createDecoder(src.format);
    const tracker = new StateTracker();
    let n = 0;
    for await (const batch of src) {
      for (let i = 0; i < batch.items.length; i++) {
        const line = batch.items[i]!;
        expect(typeof line).toBe('string');
        const keys = Object.keys(JSON.parse(line as string) as object);
        for (const f of src.fields) expect(keys).toContain(f);
        const ev = decoder.decode(line as string, batch.firstLine + i);
        expect(ev).toBeDefined();
        tracker.apply(ev!);
        expect(typeof field(ev!, 'evt.type')).toBe('string');
        expect(ev!.ts).toMatch(/^[0-9]{19}$/);
        n++;
      }
    }
    expect(decoder.stats.bad).toBe(0);
    if (!rel.endsWith('empty.scap')) expect(n).toBeGreaterThan(0);
  });

  it('cat_write replayed: the values rules see', async () => {
    const src = await openScap(join(DATA, 'falco-test-trace_files/cat_write.scap'), REFERENCED);
    const decoder = createDecoder('falco-json');
    const tracker = new StateTracker();
    const opens: unknown[][] = [];
    let exec: unknown[] | undefined;
    for await (const batch of src) {
      batch.items.forEach((line, i) => {
        const ev = decoder.decode(line as string, batch.firstLine + i)!;
        tracker.apply(ev);
        const row = ['proc.name', 'proc.aname[2]', 'proc.cmdline', 'fd.name', 'evt.arg.flags', 'evt.is_open_read', 'proc.aname', 'evt.time.iso8601'].map((f) => field(ev, f));
        if (ev.type === 'open') opens.push(row);
        if (ev.type === 'execve') exec = row;
      });
    }
    expect(exec?.slice(0, 3)).toEqual(['cat', 'emacs', 'cat /dev/null']);
    // "any ancestor" comes from the indexed ancestors (with pids) sysdig printed: the whole chain.
    expect(exec?.[6]).toEqual(['bash', 'emacs', 'bash', 'sshd', 'sshd', 'sshd', 'systemd']);
    expect(opens.map((r) => r[3])).toEqual(['/etc/ld.so.cache', '/lib/x86_64-linux-gnu/libc.so.6', '/usr/lib/locale/locale-archive', '/dev/null']);
    expect(opens[0]!.slice(4, 6)).toEqual(['O_RDONLY|O_CLOEXEC', true]);
    expect(exec?.[7]).toBe('2016-08-04T16:17:57.881730713+0000');
  });

  it('reports clearly that this sysdig cannot read curl_google_comments.scap (newer scap format)', async () => {
    await expect(openScap(join(DATA, 'falcosecurity-libs-captures/curl_google_comments.scap'), ['proc.name']))
      .rejects.toMatchObject({
        code: 'SOURCE_SCAP_UNREADABLE',
        message: expect.stringMatching(/sysdig cannot read .*curl_google_comments\.scap: Could not initialize reader.*newer scap format/),
      });
  });

  it('reports a missing sysdig binary', async () => {
    await expect(openScap(join(DATA, 'falco-test-trace_files/cat_write.scap'), [], { sysdig: '/nonexistent/sysdig' }))
      .rejects.toMatchObject({ code: 'SOURCE_SYSDIG_MISSING', message: expect.stringMatching(/'\/nonexistent\/sysdig' was not found: install the 'sysdig' package/) });
  });
});
