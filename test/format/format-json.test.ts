// JSON alerts: Falco's keys and layout, typed output_fields (exact bigint nanoseconds, null for
// missing values), sorted tags, and the json_include_* switches.
import { describe, expect, it } from 'vitest';
import { AlertFormatter } from '../../src/format/formatter.js';
import { formatAlert } from '../../src/format/formatter.js';
import { formatOptions } from '../../src/format/options.js';
import { internalAlert } from '../../src/format/internal.js';
import { jsonValue } from '../../src/format/json-value.js';
import { testEvent, testRule } from '../helpers/test-rules.js';
import { compileTemplate } from '../../src/fields/template.js';
import { syscallFields } from '../../src/fields/syscall.js';
import { Alert } from '../../src/format/alert.js';

const TS = '1470327477881781397';
const rule = testRule({
  name: 'Write below etc', priority: 3, tags: ['mitre_persistence', 'filesystem', 'T1543', 'filesystem'],
  output: 'File below /etc opened (file=%fd.name pid=%proc.pid priv=%proc.is_priv ts=%evt.rawtime gone=%container.id)',
});
const event = () => testEvent({ 'fd.name': '/etc/shadow', 'proc.pid': 4242, 'proc.is_priv': true, 'evt.rawtime': 1470327477881781397n }, TS);

describe('format – JSON alert', () => {
  it('writes Falco\'s layout with typed fields, exact bigints and nulls', () => {
    const a = new AlertFormatter({ hostname: 'node-1' }).format(rule, event());
    expect(a.json()).toBe(
      '{"hostname":"node-1","output":' + JSON.stringify(a.output) +
      ',"priority":"Error","rule":"Write below etc","source":"syscall","tags":["T1543","filesystem","mitre_persistence"],' +
      '"time":"2016-08-04T16:17:57.881781397Z", "output_fields": {"container.id":null,"evt.rawtime":1470327477881781397,' +
      '"evt.time":1470327477881781397,"fd.name":"/etc/shadow","proc.is_priv":true,"proc.pid":4242}}');
  });

  it('exposes the alert as data', () => {
    const a = new AlertFormatter({ hostname: 'node-1' }).format(rule, event());
    expect(a.rule).toBe('Write below etc');
    expect(a.priority).toBe(3);
    expect(a.priorityName).toBe('Error');
    expect(a.tags).toEqual(['T1543', 'filesystem', 'mitre_persistence']);
    expect(a.time).toBe(TS);
    expect(a.hostname).toBe('node-1');
    expect(a.outputFields['evt.time']).toBe(1470327477881781397n);
    expect(a.outputFields['container.id']).toBeNull();
  });

  it('writes safe-integer times as plain numbers', () => {
    const a = new AlertFormatter({ hostname: 'h', timeFormatIso8601: true }).format(rule, testEvent({}, '1000000000123'));
    expect(a.json()).toContain('"evt.time.iso8601":1000000000123');
    expect(a.json()).toContain('"time":"1970-01-01T00:16:40.000000123Z"');
  });

  it('honours the json_include_* switches', () => {
    const f = new AlertFormatter({ hostname: 'h', jsonIncludeMessageProperty: true, jsonIncludeOutputProperty: false,
      jsonIncludeTagsProperty: false, jsonIncludeOutputFieldsProperty: false });
    const a = f.format(rule, event());
    const j = a.json();
    expect(j).toBe(`{"hostname":"h","message":${JSON.stringify(a.message)},"priority":"Error","rule":"Write below etc","source":"syscall","time":"2016-08-04T16:17:57.881781397Z"}`);
  });

  it('writes empty tags as []', () => {
    const r = testRule({ name: 'r', output: 'x' });
    expect(new AlertFormatter({ hostname: 'h' }).format(r, testEvent({}, TS)).json()).toContain('"tags":[],"time"');
  });

  it('escapes hostile strings once and stays parseable', () => {
    const r = testRule({ name: 'we"ird\\rule\n', tags: ['a"b'], output: 'v=%x' });
    const a = new AlertFormatter({ hostname: 'h"\n' }).format(r, testEvent({ x: '"}\u0000\u2028' }, TS));
    const p = JSON.parse(a.json()) as Record<string, unknown>;
    expect(p['rule']).toBe('we"ird\\rule\n');
    expect(p['hostname']).toBe('h"\n');
    expect(p['tags']).toEqual(['a"b']);
    expect((p['output_fields'] as Record<string, unknown>)['x']).toBe('"}\u0000\u2028');
    expect(a.json()).not.toMatch(/[\u0000-\u001f]/);
  });

  it('formatAlert reuses one formatter per options object', () => {
    const o = formatOptions({ hostname: 'h' });
    const a = formatAlert(rule, event(), o);
    const b = formatAlert(rule, event(), o);
    expect(a.layout).toBe(b.layout);
  });

  it('annotates suppressed counts in output_fields and the message', () => {
    const a = new AlertFormatter({ hostname: 'h' }).format(rule, event()).withSuppressed(41, '60s');
    const p = JSON.parse(a.json()) as { output: string; output_fields: Record<string, unknown> };
    expect(p.output_fields['peregrine.suppressed']).toBe(41);
    expect(a.json()).toMatch(/"evt\.time":1470327477881781397,"fd\.name"/); // keys still sorted, bigint exact
    expect(p.output).toMatch(/\(peregrine: 41 similar alerts suppressed in 60s\)$/);
  });
});

describe('format – output_fields from compiled templates', () => {
  // A real template (time field, a repeated field, a missing one): output_fields keys written once,
  // sorted, whatever the order of the field object.
  const template = compileTemplate('%proc.pid %fd.name t=%evt.time n=%proc.name again=%fd.name cmd=%proc.cmdline', syscallFields()).template;
  const compiled = { ...testRule({ name: 'Compiled', priority: 4, output: 'x' }), output: template } as typeof rule;
  const ev = () => testEvent({ 'proc.pid': 7, 'fd.name': '/etc/"x"', 'proc.name': 'cat' }, TS);

  it('writes each key once, sorted, the time field from the alert, missing values as null', () => {
    const a = new AlertFormatter({ hostname: 'h' }).format(compiled, ev());
    expect(a.json()).toMatch(/"output_fields": \{"evt\.time":1470327477881781397,"fd\.name":"\/etc\/\\"x\\"","proc\.cmdline":null,"proc\.name":"cat","proc\.pid":7\}\}$/);
  });

  it('writes the same bytes for the same fields in any order', () => {
    const a = new AlertFormatter({ hostname: 'h' }).format(compiled, ev());
    const reversed = Object.fromEntries(Object.entries(a.templateFields).reverse());
    const b = new Alert(a.ruleId, a.rule, a.priority, a.source, a.tags, a.time, a.hostname, a.message, reversed, a.layout);
    expect(Object.keys(reversed)).not.toEqual(Object.keys(a.templateFields));
    expect(b.json()).toBe(a.json());
    const { 'proc.name': _dropped, ...missing } = a.templateFields;
    const c = new Alert(a.ruleId, a.rule, a.priority, a.source, a.tags, a.time, a.hostname, a.message, missing, a.layout);
    expect(c.json()).toBe(a.json().replace('"proc.name":"cat"', '"proc.name":null'));
  });
});

describe('format – internal alerts', () => {
  it('have Falco\'s internal shape: source internal, no tags', () => {
    const a = internalAlert({ what: 'output queue drops', priority: 4, message: 'output "nats" dropped 12 alerts', fields: { output: 'nats', dropped: 12 }, time: TS },
      { hostname: 'h', timeFormatIso8601: true });
    expect(a.json()).toBe('{"hostname":"h","output":"2016-08-04T16:17:57.881781397+0000: Warning output \\"nats\\" dropped 12 alerts",' +
      '"priority":"Warning","rule":"Peregrine internal: output queue drops","source":"internal","time":"2016-08-04T16:17:57.881781397Z", ' +
      '"output_fields": {"dropped":12,"evt.time.iso8601":1470327477881781397,"output":"nats"}}');
    expect(a.ruleId).toBe(-1);
  });
});

describe('format – JSON values', () => {
  it('serialises every value kind', () => {
    expect(jsonValue(undefined)).toBe('null');
    expect(jsonValue(Number.NaN)).toBe('null');
    expect(jsonValue(-1.5)).toBe('-1.5');
    expect(jsonValue(18446744073709551615n)).toBe('18446744073709551615');
    expect(jsonValue(['a', 1, null])).toBe('["a",1,null]');
    expect(jsonValue({ b: 1, a: [2n] })).toBe('{"a":[2],"b":1}');
  });
});

describe('format – JSON string escaping', () => {
  it('is exactly JSON.stringify for every kind of string', async () => {
    const { jsonString } = await import('../../src/format/escape.js');
    const cases = ['', 'plain', 'with "quotes"', 'back\\slash', 'tab\there', 'nul\u0000', '\u001f', 'del\u007f', 'é日本', '🦅 paired',
      'lone \ud800', 'lone \udc00 low', 'x'.repeat(31), 'x'.repeat(32), `${'x'.repeat(40)}"`, `${'y'.repeat(100)}\n`, `${'z'.repeat(100)}🦅`,
      `${'w'.repeat(100)}\ud83e`, '\u2028\u2029', '</script>'];
    for (let c = 0; c < 0x10000; c += 97) cases.push(String.fromCharCode(c), `${'a'.repeat(40)}${String.fromCharCode(c)}`);
    for (const s of cases) expect(jsonString(s)).toBe(JSON.stringify(s));
  });
});
