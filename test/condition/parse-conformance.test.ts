// Condition parser – the conformance table of spec §2.15 (libsinsp filter_parser tests), each row
// re-run with its whitespace mutated.
import { describe, expect, it } from 'vitest';
import { parseCondition } from '../../src/condition/parse.js';
import { toString, type Expr } from '../../src/condition/ast.js';
import { ConditionSyntaxError } from '../../src/common/errors.js';

type Row = { input: string; ok: boolean; printed?: string; message?: string; raw?: boolean };

// `printed` is the canonical (Falco as_string) form of the accepted tree.
const rows: Row[] = [
  { input: '  a', ok: true, printed: 'a' },
  { input: '(a)and(b)and(c)', ok: true, printed: '(a and b and c)' },
  { input: 'a and b and(c)', ok: true, printed: '(a and b and c)' },
  { input: 'a or b or(c)', ok: true, printed: '(a or b or c)' },
  { input: 'a.a=1 or b.b=2 and c', ok: true, printed: '(a.a = 1 or (b.b = 2 and c))' },
  { input: 'not(a)and(not(b))', ok: true, printed: '(not a and not b)' },
  { input: 'not not a', ok: true, printed: 'a' },
  { input: 'not not not not not(not not(not not_macro))', ok: true, printed: 'not not not_macro' },
  { input: 'a.b = not', ok: true, printed: 'a.b = not' },
  { input: 'a and notb', ok: true, printed: '(a and notb)' },
  { input: 'notz and a and b', ok: true, printed: '(notz and a and b)' },
  { input: 'macro and and_macro', ok: true, printed: '(macro and and_macro)' },
  { input: 'macro and not(not_macro)', ok: true, printed: '(macro and not not_macro)' },
  { input: "a.g in (1, 'a', b.c)", ok: true, printed: 'a.g in (1, a, b.c)' },
  { input: 'fd.name=*.log', ok: true, printed: 'fd.name = *.log' },
  { input: 'a.b = a.a', ok: true, printed: 'a.b = a.a' },
  { input: 'evt.arg[0] contains /bin', ok: true, printed: 'evt.arg[0] contains /bin' },
  { input: 'evt.arg[a] contains /bin', ok: true, printed: 'evt.arg[a] contains /bin' },
  { input: 'test.str = 0a!@#456:/\\.;!$%^&*[]{}|', ok: true, printed: 'test.str = "0a!@#456:/\\\\.;!$%^&*[]{}|"' },
  { input: 'test.str = ""', ok: true, printed: 'test.str = ""' },
  { input: "test.str = ''", ok: true, printed: 'test.str = ""' },
  { input: 'test.str[0a!@#456:/\\.;!$%^&*(){}|] = testval', ok: true, raw: true },
  { input: 'test.str[+0.25e+10] = a', ok: true, printed: 'test.str[+0.25e+10] = a' },
  { input: "test.str['a aa'] = a", ok: true, printed: 'test.str["a aa"] = a' },
  { input: "test.str = 'escape single quote \\' '", ok: true, printed: 'test.str = "escape single quote \' "', raw: true },
  { input: 'test.str = "bad escape \\ "', ok: true, printed: 'test.str = "bad escape \\\\"', raw: true },
  { input: 'test.num <= 0XaB00AB', ok: true, printed: 'test.num <= 0XaB00AB' },
  { input: 'test.num > -0.1222e+10', ok: true, printed: 'test.num > -0.1222e+10' },
  { input: 'test.op >1', ok: true, printed: 'test.op > 1' },
  { input: 'test.str = 0xAAA.1', ok: true, printed: 'test.str = 0xAAA.1' },
  { input: 'test.str = !0.1222e+10', ok: true, printed: 'test.str = !0.1222e+10' },
  { input: 'test.list in ()', ok: true, printed: 'test.list in ()' },
  { input: 'test.op in()', ok: true, printed: 'test.op in ()' },
  { input: 'test.op pmatch()', ok: true, printed: 'test.op pmatch ()' },
  { input: 'test.list intersects (value)', ok: true, printed: 'test.list intersects (value)' },
  { input: 'test.op =value', ok: true, printed: 'test.op = value' },
  { input: 'test.op !=value', ok: true, printed: 'test.op != value' },
  { input: 'test.op bcontains 48545450', ok: true, printed: 'test.op bcontains 48545450' },
  { input: 'test.op existsand macro', ok: true, printed: '(test.op exists and macro)', raw: true },
  { input: 'b64(toupper(test.field)) exists', ok: true, printed: 'b64(toupper(test.field)) exists' },
  { input: 'b64( test.field ) exists', ok: true, printed: 'b64(test.field) exists' },
  { input: 'some.field in val(test.field)', ok: true, printed: 'some.field in val(test.field)' },
  { input: 'tolower(a.b) = b64(c.d)', ok: true, printed: 'tolower(a.b) = b64(c.d)' },
  { input: 'some.field = b64 and(some_macro)', ok: true, printed: '(some.field = b64 and some_macro)' },
  { input: "some.field = 'some_fake_transformer(some_macro)'", ok: true, printed: 'some.field = some_fake_transformer(some_macro)' },
  { input: 'evt.arg["key with space"] = value', ok: true, printed: 'evt.arg["key with space"] = value' },
  { input: '((((((((((a))))))))))', ok: true, printed: 'a' },
  { input: 'a andb', ok: false, message: "expected blank or '(' after 'and'", raw: true },
  { input: 'aand b', ok: false, message: "unexpected token after 'aand', expecting 'or', 'and'" },
  { input: 'a orb', ok: false, message: "expected blank or '(' after 'or'", raw: true },
  { input: 'a andor b', ok: false, raw: true },
  { input: 'a and b and', ok: false },
  { input: 'and a', ok: false },
  { input: 'or a', ok: false },
  { input: 'a or b not', ok: false },
  { input: 'a not b', ok: false },
  { input: 'a andnot b', ok: false, raw: true },
  { input: '(a)andnot(b)', ok: false, raw: true },
  { input: 'a ornot b', ok: false, raw: true },
  { input: 'evt.arg[] contains /bin', ok: false, message: 'expected a valid field argument: a quoted string or a bare string' },
  { input: 'evt.arg["x" = value', ok: false, message: "expected a ']' token" },
  { input: 'a.b = b = 1', ok: false },
  { input: '(a.b = 1', ok: false, message: "expected a ')' token" },
  { input: 'a.a invalidoperator xxx', ok: false },
  { input: 'macro > 12', ok: false },
  { input: 'a.g in ( 1 ,, , b)', ok: false },
  { input: 'test.list in (value,)', ok: false },
  { input: 'test.list in (,)', ok: false },
  { input: '#a and b; a and b', ok: false },
  { input: 'fd.name=/var/lo);g/httpd.log', ok: false },
  { input: 'test.str = a,', ok: false },
  { input: 'test.str = a=', ok: false },
  { input: 'test.str = a(\'\\")', ok: false },
  { input: "test.str = '", ok: false },
  { input: "test.str = 'missing end quote", ok: false },
  { input: 'test.str = "broken escape double quote""', ok: false },
  { input: 'test.str = "mixed \\\'"', ok: false, message: 'invalid \\\' escape in "-quoted string' },
  { input: "test.str = 'mixed \\\"'", ok: false, message: "invalid \\\" escape in '-quoted string" },
  { input: 'test.str[   test   ] = x', ok: false },
  { input: 'test.str[[] = x', ok: false },
  { input: 'test.str[aaa"] = a', ok: false },
  { input: 'test.num > !0.1222e+10', ok: false },
  { input: 'test.num < 0xAAA.1', ok: false },
  { input: 'test.num <= a', ok: false },
  { input: 'test.list = (value)', ok: false },
  { input: 'test.list contains (value)', ok: false },
  { input: 'test.list > (value)', ok: false },
  { input: 'test.op ExIsTs', ok: false },
  { input: 'test.op exists something', ok: false },
  { input: 'test.op === value', ok: false },
  { input: 'test.op containsvalue', ok: false, raw: true },
  { input: 'test.op in', ok: false },
  { input: 'test.op >', ok: false },
  { input: 'val(test.field) exists', ok: false },
  { input: 'b64 (test.field) exists', ok: false, raw: true },
  { input: 'b64(test.field [1]) exists', ok: false, raw: true },
  { input: 'some.fake.transformer(x.y) exists', ok: false },
  { input: 'some.field = val(toupper(test.field))', ok: false },
  { input: 'some.field = (b64(test.field))', ok: false },
  { input: 'some.field = b64and(some_macro)', ok: false },
  { input: 'some.field in (a, b64(test.field))', ok: false },
  { input: '('.repeat(100000), ok: false, message: 'exceeded max depth limit of 100', raw: true },
  { input: '', ok: false, message: 'filter input string is empty', raw: true },
  { input: 'proc.name == oneof (cat, nginx)', ok: true, printed: 'proc.name == oneof (cat, nginx)' },
  { input: 'proc.name == oneof', ok: true, printed: 'proc.name == oneof' },
  { input: 'proc.name == oneof(cat)', ok: false, raw: true },
  { input: 'proc.name in oneof (cat)', ok: false },
  { input: 'join("-", (fd.name, fd.directory)) = /tmp', ok: true, printed: 'join(-,(fd.name,fd.directory)) = /tmp' },
  { input: 'join("-", ()) = x', ok: true, printed: 'join(-,()) = x' },
  { input: 'join("-", (fd.name,)) = x', ok: false },
  { input: 'join("-", (macro)) = x', ok: false },
];

function parses(input: string): { ok: true; expr: Expr } | { ok: false; error: ConditionSyntaxError } {
  try {
    return { ok: true, expr: parseCondition(input) };
  } catch (e) {
    if (e instanceof ConditionSyntaxError) return { ok: false, error: e };
    throw e;
  }
}

/** Widens every run of spaces outside quoted strings into a mix of legal blanks. */
function mutateWhitespace(input: string): string {
  let out = '';
  let quote: string | null = null;
  for (let i = 0; i < input.length; i++) {
    const c = input[i] as string;
    if (quote) {
      out += c;
      if (c === quote && input[i - 1] !== '\\') quote = null;
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    out += c === ' ' ? ' \t\n ' : c;
  }
  return `\n\t ${out} \r\n`;
}

describe('condition parser – spec §2.15 conformance', () => {
  it.each(rows)('$input', (row) => {
    const r = parses(row.input);
    expect(r.ok, r.ok ? 'parsed' : r.error.message).toBe(row.ok);
    if (r.ok && row.printed !== undefined) expect(toString(r.expr)).toBe(row.printed);
    if (!r.ok && row.message !== undefined) expect(r.error.message).toBe(row.message);
    if (!r.ok) {
      expect(r.error.position.line).toBeGreaterThanOrEqual(1);
      expect(r.error.position.column).toBeGreaterThanOrEqual(1);
    }
  });
});

describe('condition parser – conformance with whitespace mutated', () => {
  it.each(rows.filter((r) => !r.raw))('$input', (row) => {
    const r = parses(mutateWhitespace(row.input));
    expect(r.ok, r.ok ? 'parsed' : r.error.message).toBe(row.ok);
    if (r.ok && row.printed !== undefined) expect(toString(r.expr)).toBe(row.printed);
  });
});

describe('condition parser – structure and locations', () => {
  it('builds flat n-ary and/or nodes and keeps parenthesised groups nested', () => {
    const e = parseCondition('a and b and (c and d) or e');
    expect(toString(e)).toBe('((a and b and (c and d)) or e)');
  });

  it('records positions of checks, fields and values (row 29)', () => {
    const e = parseCondition('proc.aname[3]=nginx');
    expect(e.kind).toBe('binary');
    if (e.kind !== 'binary') return;
    expect(e.loc).toEqual({ offset: 0, line: 1, column: 1 });
    expect(e.left.loc.offset).toBe(0);
    expect(e.right.loc.offset).toBe(14);
    expect(e.left.kind === 'field' && e.left.arg).toBe('3');
  });

  it('reports line and column of errors in multi-line conditions', () => {
    try {
      parseCondition('evt.type = open\n  and proc.name =\n  and x');
      expect.fail('should not parse');
    } catch (e) {
      expect(e).toBeInstanceOf(ConditionSyntaxError);
      const err = e as ConditionSyntaxError;
      expect(err.position.line).toBe(3);
    }
  });

  it('decodes escapes as Falco does', () => {
    const e = parseCondition(String.raw`a.b = "x\ty\n\\\/\"" or a.b = 'it\'s'`);
    expect(e.kind).toBe('or');
    if (e.kind !== 'or') return;
    const [first, second] = e.children;
    expect(first?.kind === 'binary' && first.right.kind === 'value' && first.right.value).toBe('x\ty\n\\/"');
    expect(second?.kind === 'binary' && second.right.kind === 'value' && second.right.value).toBe("it's");
  });

  it('rejects unsupported escapes with a located message', () => {
    expect(() => parseCondition('a.b = "\\q"')).toThrow('unsupported string escape sequence: \\q');
  });

  it('is stack-safe on deep nesting and long chains', () => {
    expect(() => parseCondition('('.repeat(100000) + 'a' + ')'.repeat(100000))).toThrow('exceeded max depth limit of 100');
    expect(() => parseCondition('b64('.repeat(100000) + 'x.y' + ')'.repeat(100000) + ' exists')).toThrow('exceeded max depth limit');
    const long = Array.from({ length: 20000 }, (_, i) => `m${i}`).join(' and ');
    const e = parseCondition(long);
    expect(e.kind === 'and' && e.children.length).toBe(20000);
    expect(parseCondition('not '.repeat(50001) + 'a').kind).toBe('not');
  });

  it('honours a raised depth limit', () => {
    const nested = '('.repeat(150) + 'a' + ')'.repeat(150);
    expect(() => parseCondition(nested)).toThrow('exceeded max depth limit of 100');
    expect(toString(parseCondition(nested, { maxDepth: 1000 }))).toBe('a');
  });
});
