// Condition compiler – evaluation of every operator, modifier and transformer with Falco semantics:
// missing fields, typing of numbers/strings/IPs/bools, escapes, list and ancestor fields.
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/condition/parse.js';
import { compileCondition } from '../../src/condition/compile.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { eventFromFields, newProcess, newSyscallEvent, type Process } from '../../src/event/types.js';
import { ConditionCompileError } from '../../src/common/errors.js';

const registry = syscallFields({ hostname: 'test-host' });

function check(cond: string, fields: Record<string, unknown>): boolean {
  const { test } = compileCondition(parseCondition(cond), registry);
  return (test as (e: unknown) => boolean)(eventFromFields(fields));
}

function compileError(cond: string): string {
  try {
    compileCondition(parseCondition(cond), registry);
  } catch (e) {
    if (e instanceof ConditionCompileError) return e.message;
    throw e;
  }
  throw new Error(`'${cond}' compiled`);
}

const cat = { 'evt.type': 'openat', 'proc.name': 'cat', 'fd.name': '/etc/shadow', 'fd.num': 3, 'proc.tty': 0, 'user.uid': 0 };

describe('compile – boolean structure (L.cut boolean_evaluation)', () => {
  const f = { 'proc.name': 'x' };
  it.each([
    ['proc.name=x or proc.name=x and proc.name=y', true],
    ['(proc.name=x or proc.name=x) and proc.name=y', false],
    ['not not not proc.name=x', false],
    ['not (proc.name=y or proc.name=y and not proc.name=x)', true],
  ])('%s → %s', (cond, expected) => expect(check(cond, f)).toBe(expected));
});

describe('compile – string operators', () => {
  it.each([
    ['fd.name = /etc/shadow', true], ['fd.name == /etc/shadow', true], ['fd.name != /etc/shadow', false],
    ['fd.name contains shad', true], ['fd.name contains SHAD', false], ['fd.name icontains SHAD', true],
    ['fd.name startswith /etc', true], ['fd.name endswith dow', true], ['fd.name endswith /etc', false],
    ['fd.name glob /etc/*', true], ['fd.name glob "/etc/sh?dow"', true], ['fd.name glob "/etc/[rs]hadow"', true],
    ['fd.name glob "/etc/[!s]hadow"', false], ['fd.name glob "*"', true], ['fd.name glob "/e*/*w"', true],
    ['fd.name iglob "/ETC/*"', true], ['fd.name glob "/ETC/*"', false],
    ["fd.name regex '/etc/s.*'", true], ["fd.name regex 'etc/s.*'", false], ["fd.name regex '.*shadow'", true],
    ['fd.name in (/etc/passwd, /etc/shadow)', true], ['fd.name in (/etc/passwd)', false],
    ['fd.name intersects (/etc/shadow)', true],
    ['fd.name pmatch (/etc)', true], ['fd.name pmatch (/et)', false], ['fd.name pmatch (/etc/shadow)', true],
    ['fd.name pmatch (/e*)', true], ['fd.name pmatch (/usr, /e?c)', true], ['fd.name pmatch ()', false],
    ['proc.name bcontains 6174', true], ['proc.name bstartswith 63', true], ['proc.name bstartswith 61', false],
  ])('%s → %s', (cond, expected) => expect(check(cond, cat)).toBe(expected));

  it('orders strings byte-wise (strcmp) when a numeric literal meets a string field', () => {
    expect(check('proc.name > 3', { 'proc.name': '5' })).toBe(true);
    expect(check('proc.name < 10', { 'proc.name': '5' })).toBe(false);
    expect(check('proc.name >= 5', { 'proc.name': '5' })).toBe(true);
  });

  it('matches escaped quotes (L.cut singlequote)', () => {
    expect(check("proc.cmdline = 'hello \\'quoted\\''", { 'proc.cmdline': "hello 'quoted'" })).toBe(true);
    expect(check('proc.cmdline startswith "sh -c envdir \\"/run/x\\" wal-g"', { 'proc.cmdline': 'sh -c envdir "/run/x" wal-g wal-push' })).toBe(true);
  });

  it('compares byte-exactly and folds ASCII case only for icontains/iglob', () => {
    expect(check('proc.name icontains É', { 'proc.name': 'é' })).toBe(false);
    expect(check('proc.name = Cat', { 'proc.name': 'cat' })).toBe(false);
  });
});

describe('compile – modifiers oneof/anyof/allof', () => {
  const f = { 'proc.name': 'sshd-session' };
  it.each([
    ['proc.name startswith oneof (ssh, sudo)', true],
    ['proc.name startswith oneof (ssh, sshd)', false],
    ['proc.name startswith anyof (ssh, sshd)', true],
    ['proc.name startswith allof (ssh, sshd)', true],
    ['proc.name startswith allof (ssh, sudo)', false],
    ['proc.name = anyof (a, sshd-session)', true],
    ['proc.name contains oneof ()', false],
  ])('%s → %s', (cond, expected) => expect(check(cond, f)).toBe(expected));
});

describe('compile – numeric fields', () => {
  it.each([
    ['fd.num = 3', true], ['fd.num != 3', false], ['fd.num >= 0', true], ['fd.num < 0', false], ['fd.num > 2', true],
    ['fd.num <= 0x3', true], ['fd.num in (1, 2, 3)', true], ['fd.num in (4)', false], ['proc.tty = 0', true],
    ['user.uid < 1000', true],
  ])('%s → %s', (cond, expected) => expect(check(cond, cat)).toBe(expected));

  it('accepts numbers given as strings and vice versa', () => {
    expect(check('fd.num = 3', { 'fd.num': '3' })).toBe(true);
    expect(check('proc.name = 42', { 'proc.name': 42 })).toBe(true);
  });

  it('rejects values that are not numbers at compile time', () => {
    expect(compileError('fd.num = abc')).toMatch(/'abc' is not a valid number for field 'fd.num'/);
    expect(compileError('fd.num in (1, x)')).toMatch(/'x' is not a valid number/);
    expect(compileError('fd.sport = 99999')).toMatch(/not a valid number/);
  });

  it('accepts service names for ports', () => {
    expect(check('fd.sport = ssh', { 'fd.sport': 22 })).toBe(true);
  });
});

describe('compile – bool fields', () => {
  it.each([
    ['evt.is_open_read = true', { 'evt.is_open_read': true }, true],
    ['evt.is_open_read = false', { 'evt.is_open_read': true }, false],
    ['evt.is_open_read != true', { 'evt.is_open_read': false }, true],
    ['evt.is_open_read = true', { 'evt.is_open_read': 'true' }, true],
  ])('%s with %j → %s', (cond, f, expected) => expect(check(cond, f)).toBe(expected));

  it('accepts only true/false literals', () => {
    expect(compileError('evt.is_open_read = 1')).toMatch(/not a valid bool value/);
  });

  it('rejects string operators on bools', () => {
    expect(compileError('evt.is_open_read contains t')).toMatch(/operator 'contains' is not supported/);
  });
});

describe('compile – IP addresses and networks', () => {
  const f = { 'fd.sip': '10.1.2.3', 'fd.cip': '192.168.0.7', 'fd.rip': '10.1.2.3' };
  it.each([
    ['fd.sip = 10.1.2.3', true], ['fd.sip != 10.1.2.3', false], ['fd.sip = "10.1.2.4"', false],
    ['fd.sip in (10.0.0.0/8)', true], ['fd.sip in (172.16.0.0/12, 192.168.0.0/16)', false],
  ])('%s → %s', (cond, expected) => expect(check(cond, f)).toBe(expected));

  it('matches fd.net / fd.snet / fd.ip against client or server addresses', () => {
    const ev = newSyscallEvent('connect');
    ev.fd = { num: 3, type: 'ipv4', name: '192.168.0.7:5555->10.1.2.3:443', nameraw: undefined, l4proto: 'tcp', cip: '192.168.0.7', cport: 5555, sip: '10.1.2.3', sport: 443, isServer: false, connected: true, openFlags: undefined, dev: undefined, ino: undefined, upperLayer: undefined };
    const run = (c: string): boolean => (compileCondition(parseCondition(c), registry).test as (e: unknown) => boolean)(ev);
    expect(run('fd.net = "10.0.0.0/8"')).toBe(true);
    expect(run('fd.net = "192.168.0.0/16"')).toBe(true);
    expect(run('fd.snet = "192.168.0.0/16"')).toBe(false);
    expect(run('fd.snet in ("10.0.0.0/8", "172.16.0.0/12")')).toBe(true);
    expect(run('fd.ip = 192.168.0.7')).toBe(true);
    expect(run('fd.net != "127.0.0.0/8"')).toBe(true);
    expect(run('fd.port = 443')).toBe(true);
    expect(run('fd.lport = 5555 and fd.rport = 443')).toBe(true);
  });

  it('normalises IPv6 forms', () => {
    expect(check('fd.sip = "::1"', { 'fd.sip': '0:0:0:0:0:0:0:1' })).toBe(true);
    expect(check('fd.sip in ("fe80::/10")', { 'fd.sip': 'fe80::1' })).toBe(true);
    expect(check('fd.sip = 1.2.3.4', { 'fd.sip': '::ffff:1.2.3.4' })).toBe(true);
  });

  it('rejects invalid addresses and operators', () => {
    expect(compileError('fd.sip = 1.2.3')).toMatch(/not a valid IP address/);
    expect(compileError('fd.net = "10.0.0.0/33"')).toMatch(/not a valid IP network/);
    expect(compileError('fd.sip contains 1')).toMatch(/operator 'contains' is not supported/);
  });
});

describe('compile – missing values are false for every operator (§2.12)', () => {
  const ops = ['= x', '== x', '!= x', 'contains x', 'icontains x', 'startswith x', 'endswith x', 'glob x', 'iglob x',
    "regex 'x'", 'in (x)', 'intersects (x)', 'pmatch (/x)', '< 1', '> 1', 'bcontains 78', '!= oneof (a, b)'];
  it.each(ops)('proc.pname %s on a missing field → false, not(…) → true', (op) => {
    expect(check(`proc.pname ${op}`, { 'proc.name': 'x' })).toBe(false);
    expect(check(`not proc.pname ${op}`, { 'proc.name': 'x' })).toBe(true);
  });

  it('null given values are missing', () => {
    expect(check('proc.pname != x', { 'proc.pname': null })).toBe(false);
    expect(check('proc.pname exists', { 'proc.pname': null })).toBe(false);
    expect(check('proc.pname exists', { 'proc.pname': 'bash' })).toBe(true);
  });

  it('a missing val() right-hand side makes the check false', () => {
    expect(check('proc.name = val(proc.pname)', { 'proc.name': 'x' })).toBe(false);
    expect(check('proc.name != val(proc.pname)', { 'proc.name': 'x' })).toBe(false);
    expect(check('proc.name = val(proc.pname)', { 'proc.name': 'x', 'proc.pname': 'x' })).toBe(true);
    expect(check('proc.name != val(proc.pname)', { 'proc.name': 'x', 'proc.pname': 'y' })).toBe(true);
  });
});

describe('compile – transformers', () => {
  const f = { 'proc.name': 'Bash', 'fd.name': '/usr/bin/Bash', 'proc.cmdline': 'aGVsbG8=', 'proc.args': '-a -b 1 -c' };
  it.each([
    ['tolower(proc.name) = bash', true], ['toupper(proc.name) = BASH', true], ['tolower(proc.name) = Bash', false],
    ['basename(fd.name) = Bash', true], ['tolower(basename(fd.name)) = bash', true],
    ['b64(proc.cmdline) = hello', true], ['b64(proc.cmdline) bcontains 656c6c', true],
    ['len(proc.name) = 4', true], ['len(fd.name) > 10', true],
    ['tolower(proc.name) = val(proc.name)', false], ['toupper(proc.name) = toupper(proc.name)', true],
    ['proc.name = val(proc.name)', true],
    ['tolower(proc.name) in (bash, sh)', true],
    ['tolower(proc.name) exists', true],
    ['concat(proc.name, "-", fd.name) = "Bash-/usr/bin/Bash"', true],
    ['join("-", (proc.name, "x", 3)) = Bash-x-3', true],
    ['getopt(proc.args, "abc:")[c] exists', true],
  ])('%s → %s', (cond, expected) => expect(check(cond, f)).toBe(expected));

  it('rejects transformers on unsupported types and misplaced val()', () => {
    expect(compileError('toupper(evt.rawres) = 1')).toMatch(/can't add field transformer: type 'int' is not supported by 'toupper'/);
    expect(compileError('toupper(fd.name)[x] = A')).toMatch(/does not support arguments/);
    expect(compileError('proc.name = val(proc.aname)')).toMatch(/can't be used on the right-hand side/);
    expect(compileError('fd.num = val(proc.name)')).toMatch(/incompatible type/);
    expect(compileError("fd.name regex val(proc.name)")).toMatch(/does not support a field on the right-hand side/);
  });
});

describe('compile – list fields and ancestors', () => {
  function withAncestry(names: string[]): ReturnType<typeof newSyscallEvent> {
    const ev = newSyscallEvent('execve');
    let parent: Process | undefined;
    for (let i = names.length - 1; i >= 0; i--) {
      const p = newProcess(100 + i);
      p.name = names[i];
      p.parent = parent;
      parent = p;
    }
    ev.proc = parent;
    return ev;
  }
  const run = (cond: string, ev: unknown): boolean => (compileCondition(parseCondition(cond), registry).test as (e: unknown) => boolean)(ev);
  const ev = withAncestry(['sh', 'bash', 'sshd', 'systemd']);

  it('indexes ancestors from the process itself (0) through its parent (1)', () => {
    expect(run('proc.aname[0] = sh', ev)).toBe(true);
    expect(run('proc.aname[1] = bash and proc.pname = bash', ev)).toBe(true);
    expect(run('proc.aname[3] = systemd', ev)).toBe(true);
    expect(run('proc.aname[4] exists', ev)).toBe(false);
    expect(run('proc.apid[2] = 102', ev)).toBe(true);
  });

  it('without an index matches any ancestor, for every operator', () => {
    expect(run('proc.aname = sshd', ev)).toBe(true);
    expect(run('proc.aname in (sshd, nginx)', ev)).toBe(true);
    expect(run('proc.aname in (nginx)', ev)).toBe(false);
    expect(run('proc.aname startswith sys', ev)).toBe(true);
    expect(run('proc.aname = sh', ev)).toBe(false);
    expect(run('proc.aname exists', withAncestry(['init']))).toBe(false);
  });
});

describe('compile – evt.arg and other derived fields', () => {
  it('reads arguments by dotted name, bracket name and index', () => {
    const ev = newSyscallEvent('openat');
    ev.args = { dirfd: -100, name: '/etc/passwd', flags: 'O_WRONLY|O_TRUNC' };
    const run = (cond: string): boolean => (compileCondition(parseCondition(cond), registry).test as (e: unknown) => boolean)(ev);
    expect(run('evt.arg.flags contains O_TRUNC')).toBe(true);
    expect(run('evt.arg[flags] contains O_TRUNC')).toBe(true);
    expect(run('evt.arg[1] = /etc/passwd')).toBe(true);
    expect(run('evt.arg.name = /etc/passwd and evt.is_open_write = true and evt.is_open_read = false')).toBe(true);
    expect(run('evt.arg.nothere exists')).toBe(false);
  });

  it('evt.res and evt.failed derive from the return value', () => {
    const ev = newSyscallEvent('open');
    ev.res = -2;
    const run = (cond: string): boolean => (compileCondition(parseCondition(cond), registry).test as (e: unknown) => boolean)(ev);
    expect(run('evt.res = ENOENT and evt.failed = true and evt.rawres < 0')).toBe(true);
    expect(run('evt.res startswith E')).toBe(true);
  });
});

describe('compile – unknown fields and identifiers', () => {
  it('names the unknown field and suggests the closest one', () => {
    expect(compileError('proc.nmae = x')).toBe('filter_check called with nonexistent field proc.nmae (did you mean \'proc.name\'?)');
    expect(compileError('nothing.like.this = x')).toBe('filter_check called with nonexistent field nothing.like.this');
  });

  it('rejects unknown event type names (so a typo cannot make a rule silently never fire)', () => {
    expect(compileError('evt.type = opne')).toBe('unknown event type opne');
    expect(compileError('evt.type in (open, execv)')).toBe('unknown event type execv');
    expect(check('evt.type in (open, openat2, procexit, container)', { 'evt.type': 'procexit' })).toBe(true);
  });

  it('rejects a remaining macro identifier', () => {
    expect(compileError('proc.name = x and some_macro')).toBe("filter error: unexpected identifier 'some_macro'");
  });

  it('rejects bad hex for bcontains and invalid regexes', () => {
    expect(compileError('evt.buffer bcontains xyz')).toBe('bcontains and bstartswith operator support hex strings only');
    expect(compileError("proc.name regex '(unclosed'")).toMatch(/invalid regex/);
  });

  it('requires arguments where fields need them', () => {
    expect(compileError('evt.arg = x')).toMatch(/requires an argument/);
    expect(compileError('proc.name[1] = x')).toMatch(/does not support arguments/);
    expect(compileError('proc.aname[x] = y')).toMatch(/numeric index/);
  });
});

describe('compile – warnings (§2.11)', () => {
  const warn = (cond: string): string[] => compileCondition(parseCondition(cond), registry).warnings.map((w) => w.message);
  it('warns about fields and transformers misused as constants', () => {
    expect(warn('proc.name = proc.pname')).toEqual(["'proc.pname' may be a valid field misused as a const string value"]);
    expect(warn("proc.name = 'toupper(proc.pname)'")).toEqual(["'toupper(proc.pname)' may be a valid field transformer misused as a const string value"]);
    expect(warn('proc.name = java.sh')).toEqual([]);
  });
  it('warns about regexes without metacharacters', () => {
    expect(warn("proc.name regex '^bash$'")[0]).toMatch(/no regex metacharacters/);
    expect(warn("proc.name regex 'ba(sh|zsh)'")).toEqual([]);
  });
  it('warns about deprecated fields', () => {
    expect(compileCondition(parseCondition('evt.dir = <'), registry).warnings.map((w) => w.code)).toEqual(['LOAD_DEPRECATED_ITEM']);
  });
});
