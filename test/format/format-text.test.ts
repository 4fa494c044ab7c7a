// Text alert lines: `<time>: <Priority> <message>`, local or ISO time, control characters escaped so
// event data cannot forge a log line or drive a terminal.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AlertFormatter } from '../../src/format/formatter.js';
import { escapeLine } from '../../src/format/escape.js';
import { testEvent, testRule } from '../helpers/test-rules.js';

const TS = '1470327477881781397'; // 2016-08-04T16:17:57.881781397Z
const rule = testRule({ name: 'Shell', priority: 6, output: 'shell spawned (cmd=%proc.cmdline user=%user.name)' });

describe('format – text line', () => {
  let savedTz: string | undefined;
  beforeEach(() => {
    savedTz = process.env['TZ'];
  });
  afterEach(() => {
    if (savedTz === undefined) delete process.env['TZ'];
    else process.env['TZ'] = savedTz;
  });

  it('uses local HH:MM:SS.nnnnnnnnn time by default', () => {
    process.env['TZ'] = 'UTC';
    const a = new AlertFormatter({ hostname: 'h' }).format(rule, testEvent({ 'proc.cmdline': 'bash -i', 'user.name': 'root' }, TS));
    expect(a.text()).toBe('16:17:57.881781397: Informational shell spawned (cmd=bash -i user=root)');
    // Another second: the time-of-day part is cached per second (a process's TZ does not change).
    process.env['TZ'] = 'Asia/Kolkata';
    const b = new AlertFormatter({ hostname: 'h' }).format(rule, testEvent({ 'proc.cmdline': 'bash -i', 'user.name': 'root' }, '1470327478000000001'));
    expect(b.text()).toBe('21:47:58.000000001: Informational shell spawned (cmd=bash -i user=root)');
  });

  it('uses ISO 8601 UTC with nanoseconds when time_format_iso_8601 is on', () => {
    process.env['TZ'] = 'America/New_York';
    const a = new AlertFormatter({ hostname: 'h', timeFormatIso8601: true }).format(rule, testEvent({ 'proc.cmdline': 'sh', 'user.name': 'u' }, TS));
    expect(a.text()).toBe('2016-08-04T16:17:57.881781397+0000: Informational shell spawned (cmd=sh user=u)');
  });

  it('keeps leading zeros of the nanoseconds and handles times before 1970+1s', () => {
    const f = new AlertFormatter({ hostname: 'h', timeFormatIso8601: true });
    expect(f.format(rule, testEvent({}, '1000000005')).text()).toMatch(/^1970-01-01T00:00:01\.000000005\+0000: /);
    expect(f.format(rule, testEvent({}, '7')).text()).toMatch(/^1970-01-01T00:00:00\.000000007\+0000: /);
  });

  it('escapes control characters so a crafted command line cannot forge a second log line', () => {
    const f = new AlertFormatter({ hostname: 'h', timeFormatIso8601: true });
    const forged = 'x\n2016-08-04T16:17:58.000000000+0000: Emergency fake alert';
    const a = f.format(rule, testEvent({ 'proc.cmdline': forged, 'user.name': 'a\tb\u0001c\u001b[31mred\r' }, TS));
    const line = a.text();
    expect(line).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(line.split('\n')).toHaveLength(1);
    expect(line).toBe('2016-08-04T16:17:57.881781397+0000: Informational shell spawned (cmd=x\\n2016-08-04T16:17:58.000000000+0000: Emergency fake alert user=a\\tb\\u0001c\\u001b[31mred\\r)');
    // The message itself (and JSON `output`) keep the raw characters; JSON escapes them once.
    expect(a.message).toContain('\n');
    expect((JSON.parse(a.json()) as { output: string }).output).toBe(a.output);
  });

  it('escapes quotes, backslashes, DEL, C1 controls and line separators', () => {
    expect(escapeLine('say "hi" \\ there')).toBe('say \\"hi\\" \\\\ there');
    expect(escapeLine('del\u007f csi\u009b[2J nel\u0085 ls\u2028ps\u2029')).toBe('del\\u007f csi\\u009b[2J nel\\u0085 ls\\u2028ps\\u2029');
    expect(escapeLine('é 日本 🦅')).toBe('é 日本 🦅');
    expect(escapeLine('lone \ud800 surrogate')).toBe('lone \\ud800 surrogate');
  });

  it('builds each wire form once and shares it', () => {
    const a = new AlertFormatter({ hostname: 'h' }).format(rule, testEvent({ 'proc.cmdline': 'sh' }, TS));
    expect(a.text()).toBe(a.text());
    expect(Object.is(a.json(), a.json())).toBe(true);
  });

  it('still produces an alert when the output template throws', () => {
    const bad = testRule({ name: 'Bad', output: 'x' });
    (bad.output as { render: unknown }).render = () => {
      throw new Error('boom');
    };
    const f = new AlertFormatter({ hostname: 'h' });
    const a = f.format(bad, testEvent({}, TS));
    expect(a.message).toBe('x (peregrine: output could not be rendered: boom)');
    expect(f.renderErrors).toBe(1);
    expect(() => JSON.parse(a.json()) as unknown).not.toThrow();
  });

  it('uses the current time when the event has no timestamp', () => {
    const before = BigInt(Date.now()) * 1_000_000n;
    const a = new AlertFormatter({ hostname: 'h' }).format(rule, testEvent({}, ''));
    expect(BigInt(a.time) >= before).toBe(true);
  });
});

describe('format – cached time texts', () => {
  it('match the reference renderers across seconds, days and tiny timestamps', async () => {
    const { isoTime, jsonTime, localTime, nsDigits } = await import('../../src/format/time-text.js');
    const { timeIsoText, timeJsonText, timeText } = await import('../../src/fields/time.js');
    for (const ts of ['1470327477881781397', '1470327477999999999', '1470327478000000000', '1470413877000000001', '5', '999999999', '1000000000', '0']) {
      expect(isoTime(ts)).toBe(timeIsoText(ts));
      expect(jsonTime(ts)).toBe(timeJsonText(ts));
      expect(localTime(ts)).toBe(timeText(ts));
    }
    expect(nsDigits('0001')).toBe('1');
    expect(nsDigits('0')).toBe('0');
    expect(nsDigits('18446744073709551615')).toBe('18446744073709551615');
  });
});
