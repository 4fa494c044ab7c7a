// Alerts across threads – the wire form survives a structured clone and becomes an Alert that
// renders, filters, throttles and reads fields exactly like the original.
import { describe, expect, it } from 'vitest';
import { AlertFormatter } from '../../src/format/formatter.js';
import { fromWire, toWire } from '../../src/format/wire.js';
import { testEvent, testRule } from '../helpers/test-rules.js';

const rule = testRule({
  id: 7, name: 'Write below etc', priority: 3, tags: ['filesystem', 'mitre_persistence'],
  output: 'File below /etc opened (file=%fd.name pid=%proc.pid big=%evt.rawtime ctl=%proc.cmdline)',
});
const TS = '1470327477881781397';
const event = () => testEvent({ 'fd.name': '/etc/shadow', 'proc.pid': 4242, 'evt.rawtime': 1470327477881781397n, 'proc.cmdline': 'sh -c "a\u001bb"' }, TS);

function roundTrip(forms: { text: boolean; json: boolean }, iso = false) {
  const worker = new AlertFormatter({ hostname: 'node-1', timeFormatIso8601: iso });
  const main = new AlertFormatter({ hostname: 'node-1', timeFormatIso8601: iso });
  const original = worker.format(rule, event());
  const wire = structuredClone(toWire(original, forms));
  return { original, copy: fromWire(wire, rule, main.options.hostname, main.layoutOf(rule)) };
}

describe('format – alerts in wire form', () => {
  for (const forms of [{ text: true, json: true }, { text: true, json: false }, { text: false, json: true }, { text: false, json: false }]) {
    it(`renders the same text and JSON lines (pre-rendered: ${JSON.stringify(forms)})`, () => {
      for (const iso of [false, true]) {
        const { original, copy } = roundTrip(forms, iso);
        expect(copy.text()).toBe(original.text());
        expect(copy.json()).toBe(original.json());
      }
    });
  }

  it('carries the data filters, throttles and subjects read', () => {
    const { original, copy } = roundTrip({ text: false, json: true });
    expect([copy.ruleId, copy.rule, copy.priority, copy.source, copy.tags, copy.time, copy.hostname, copy.message])
      .toEqual([original.ruleId, original.rule, original.priority, original.source, original.tags, original.time, original.hostname, original.message]);
    expect(copy.fieldValue('evt.rawtime')).toBe(1470327477881781397n);
    expect(copy.outputFields).toEqual(original.outputFields);
    expect(copy.priorityName).toBe('Error');
  });

  it('sends no line an output does not need', () => {
    const worker = new AlertFormatter({ hostname: 'node-1' });
    const w = toWire(worker.format(rule, event()), { text: false, json: true });
    expect(w[4]).toBeNull();
    expect(typeof w[5]).toBe('string');
  });

  it('annotates a suppressed count as the original would', () => {
    const { original, copy } = roundTrip({ text: true, json: true });
    expect(copy.withSuppressed(3, '1m').json()).toBe(original.withSuppressed(3, '1m').json());
    expect(copy.withSuppressed(3, '1m').text()).toBe(original.withSuppressed(3, '1m').text());
  });
});
