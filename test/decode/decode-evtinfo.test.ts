// libsinsp argument text (evt.info / evt.args) → parameters, and exact big integers from raw lines.
import { describe, expect, it } from 'vitest';
import { parseEvtInfo } from '../../src/decode/evtinfo.js';
import { rawInteger } from '../../src/decode/bigint.js';
import { detectFormat } from '../../src/decode/index.js';

const parsed = (t: string): [string, string, string | undefined][] => parseEvtInfo(t).map((a) => [a.name, a.raw, a.resolved]);

describe('evt.info parser', () => {
  it('splits raw(resolved) values: fds, flags, errnos, pids', () => {
    expect(parsed('fd=3(<f>/etc/ld.so.cache) name=/etc/ld.so.cache flags=4097(O_RDONLY|O_CLOEXEC) mode=0 ')).toEqual([
      ['fd', '3', '<f>/etc/ld.so.cache'], ['name', '/etc/ld.so.cache', undefined], ['flags', '4097', 'O_RDONLY|O_CLOEXEC'], ['mode', '0', undefined],
    ]);
    expect(parsed('res=-2(ENOENT) dirfd=-100(AT_FDCWD) ptid=11310(bash)')).toEqual([
      ['res', '-2', 'ENOENT'], ['dirfd', '-100', 'AT_FDCWD'], ['ptid', '11310', 'bash'],
    ]);
  });

  it('keeps spaces inside values (unix tuples, env) and only known names inside buffers', () => {
    expect(parsed('res=-2(ENOENT) tuple=0->ffff88003c420800 /var/run/nscd/socket ')).toEqual([
      ['res', '-2', 'ENOENT'], ['tuple', '0->ffff88003c420800 /var/run/nscd/socket', undefined],
    ]);
    expect(parsed('res=5120 data=<html itemscope="" lang="en" fd=1')).toEqual([
      ['res', '5120', undefined], ['data', '<html itemscope="" lang="en"', undefined], ['fd', '1', undefined],
    ]);
    expect(parsed('env=SSH_CLIENT=10.0.2.2 54626 22.X=1. tty=0')).toEqual([['env', 'SSH_CLIENT=10.0.2.2 54626 22.X=1.', undefined], ['tty', '0', undefined]]);
  });

  it('paths: raw(resolved) only when the resolved part is absolute', () => {
    expect(parsed('name=.(/) path=/tmp/a(b)')).toEqual([['name', '.', '/'], ['path', '/tmp/a(b)', undefined]]);
  });

  it('handles empty and hostile text without throwing', () => {
    expect(parseEvtInfo('')).toEqual([]);
    // Text before the first name is ignored; "=y" has no name, so it belongs to x's value.
    expect(parsed('=== (((( ))) x= =y')).toEqual([['x', ' =y', undefined]]);
    expect(parseEvtInfo('a'.repeat(100000) + '=1').length).toBe(1);
  });
});

describe('exact integers from the raw line', () => {
  it('reads digits JSON.parse would round, only for an unescaped member name', () => {
    const line = '{"evt.args":"x\\"evt.time\\":1","evt.time":1470327477881730713,"n":2}';
    expect(JSON.parse(line)['evt.time']).toBe(1470327477881730700);
    expect(rawInteger(line, 'evt.time')).toBe('1470327477881730713');
    expect(rawInteger('{"a": -12345678901234567890}', 'a')).toBe('-12345678901234567890');
    expect(rawInteger('{"a":1.5}', 'a')).toBeUndefined();
    expect(rawInteger('{"a":"1"}', 'a')).toBeUndefined();
    expect(rawInteger('{"b":1}', 'a')).toBeUndefined();
  });
});

describe('format detection', () => {
  it.each([
    ['{"type":"openat","ts":"1","pid":1}', 'native'],
    ['{"evt.type":"open","proc.name":"cat"}', 'falco-json'],
    ['{"evt.type":"open","evt.info":"fd=3"}', 'sysdig'],
    ['{"rule":"r","output_fields":{"proc.name":"x"}}', 'falco-json'],
    ['{"process_exec":{"process":{}},"node_name":"n"}', 'tetragon'],
    ['{"eventName":"openat","timestamp":1}', 'tracee'],
    ['{"name":"openat","workload":{}}', 'tracee'],
  ])('%s → %s', (line, format) => {
    expect(detectFormat(line)).toBe(format);
  });
  it('is undefined for non-JSON and unknown objects', () => {
    expect(detectFormat('nope')).toBeUndefined();
    expect(detectFormat('{"x":1}')).toBeUndefined();
  });
});
