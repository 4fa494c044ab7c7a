// k8s audit decoding – Event, EventList and array payloads, stageTimestamp to exact nanoseconds, every
// stage delivered, and bad input counted (never thrown).
import { describe, expect, it } from 'vitest';
import { K8sAuditDecoder, stampToNs, type K8sAuditProblem } from '../../src/decode/k8saudit.js';
import { rfc3339ToNs } from '../../src/fields/time.js';

const event = (id: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
  kind: 'Event', apiVersion: 'audit.k8s.io/v1', level: 'Metadata', auditID: id, stage: 'ResponseComplete', verb: 'get',
  requestURI: '/api/v1/namespaces/default/pods', user: { username: 'alice' },
  requestReceivedTimestamp: '2024-05-01T10:00:00.000001Z', stageTimestamp: '2024-05-01T10:00:00.123456Z', ...extra,
});

describe('K8sAuditDecoder', () => {
  it('decodes a single Event with stageTimestamp as exact ns and sequential evt.num', () => {
    const d = new K8sAuditDecoder();
    const r1 = d.decode(JSON.stringify(event('a')));
    const r2 = d.decode(JSON.stringify(event('b')));
    expect(r1.ok).toBe(true);
    expect(r1.events).toHaveLength(1);
    const [e] = r1.events;
    expect(e?.source).toBe('k8s_audit');
    expect(e?.type).toBe('');
    expect(e?.ts).toBe('1714557600123456000');
    expect(e?.num).toBe(1);
    expect(e?.doc['auditID']).toBe('a');
    expect(r2.events[0]?.num).toBe(2);
    expect(d.stats()).toMatchObject({ documents: 2, events: 2, malformedJson: 0, unrecognized: 0 });
  });

  it('keeps nanosecond precision and honours offsets', () => {
    const d = new K8sAuditDecoder();
    const [e] = d.decode(JSON.stringify(event('a', { stageTimestamp: '2024-05-01T12:00:00.123456789+02:00' }))).events;
    expect(e?.ts).toBe('1714557600123456789');
    const [f] = d.decode(JSON.stringify(event('b', { stageTimestamp: '2024-05-01T10:00:00Z' }))).events;
    expect(f?.ts).toBe('1714557600000000000');
  });

  it('converts RFC 3339 stamps exactly, agreeing with the general converter, and rejects impossible ones', () => {
    for (const t of ['2018-10-25T14:09:12.581541Z', '2024-02-29T23:59:59.999999999Z', '1970-01-01T00:00:01Z', '2024-05-01T12:00:00.5+05:30',
      '2024-05-01T00:10:00-00:30', '2099-12-31T23:59:59.000001Z']) {
      expect(stampToNs(t), t).toBe(rfc3339ToNs(t));
    }
    expect(stampToNs('1970-01-01T00:00:00.000000123Z')).toBe('123');
    for (const bad of ['2023-02-29T00:00:00Z', '2024-13-01T00:00:00Z', '2024-05-01T24:00:00Z', '1969-12-31T23:59:59Z',
      '2024-05-01 10:00:00Z', '2024-05-01T10:00:00', '2024-05-01T10:00:00.Z', '2024-05-01T10:00:00.1234567890Z', '0070-01-01T00:00:01Z', '2024-05-01T10:00:00+0100', '2024-05-01T10:00:00Zjunk', '']) {
      expect(stampToNs(bad), bad).toBeUndefined();
    }
  });

  it('decodes an EventList (the webhook backend batch) and counts its bad items', () => {
    const d = new K8sAuditDecoder({ firstNum: 100 });
    const body = {
      kind: 'EventList', apiVersion: 'audit.k8s.io/v1', metadata: {},
      items: [event('a'), event('b', { stageTimestamp: undefined }), 'junk', event('c', { stageTimestamp: 'yesterday' }), event('d')],
    };
    const r = d.decode(JSON.stringify(body));
    expect(r.ok).toBe(true);
    expect(r.events.map((e) => e.doc['auditID'])).toEqual(['a', 'd']);
    expect(r.events.map((e) => e.num)).toEqual([100, 101]);
    expect(d.stats()).toMatchObject({ events: 2, badTimestamp: 2, unrecognized: 1 });
  });

  it('decodes JSON arrays of events and lists, recursively, keeping good elements next to bad ones', () => {
    const d = new K8sAuditDecoder();
    const r = d.decode(JSON.stringify([event('a'), [event('b'), { kind: 'EventList', items: [event('c')] }], { kind: 'Pod' }]));
    expect(r.ok).toBe(true);
    expect(r.events.map((e) => e.doc['auditID'])).toEqual(['a', 'b', 'c']);
    expect(d.stats().unrecognized).toBe(1);
  });

  it('delivers every stage: filtering to ResponseComplete is the rules\' job (kevt), as in the plugin', () => {
    const d = new K8sAuditDecoder();
    const stages = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];
    const r = d.decode(JSON.stringify({ kind: 'EventList', items: stages.map((stage, i) => event(String(i), { stage })) }));
    expect(r.events.map((e) => e.doc['stage'])).toEqual(stages);
  });

  it.each([
    ['', 'malformedJson'],
    ['{"kind":"Event"', 'malformedJson'],
    ['not json', 'malformedJson'],
    ['{"kind": 0}', 'unrecognized'],
    ['{"kind":"Pod","auditID":"x"}', 'unrecognized'],
    ['{"kind":"EventList","items":{}}', 'unrecognized'],
    ['null', 'unrecognized'],
    ['42', 'unrecognized'],
    ['"Event"', 'unrecognized'],
    [`${'['.repeat(5000)}${']'.repeat(5000)}`, 'unrecognized'],
  ] as const)('counts %j as %s without throwing', (text, kind) => {
    const problems: K8sAuditProblem[] = [];
    const d = new K8sAuditDecoder({ onProblem: (k) => problems.push(k) });
    const r = d.decode(text);
    expect(r.ok).toBe(false);
    expect(r.malformed).toBe(kind === 'malformedJson');
    expect(r.events).toEqual([]);
    expect(d.stats()[kind]).toBe(1);
    expect(problems).toEqual([kind]);
  });

  it('an event without stageTimestamp is dropped and counted (the plugin requires it)', () => {
    const d = new K8sAuditDecoder();
    const r = d.decode(JSON.stringify(event('a', { stageTimestamp: undefined })));
    expect(r.ok).toBe(true);
    expect(r.events).toEqual([]);
    expect(d.stats().badTimestamp).toBe(1);
  });

  it('maxEventSize drops (and counts) oversized events, like the plugin\'s maxEventSize', () => {
    const d = new K8sAuditDecoder({ maxEventSize: 2000 });
    const big = event('big', { requestObject: { data: { blob: 'x'.repeat(5000) } } });
    const r = d.decode(JSON.stringify({ kind: 'EventList', items: [event('small'), big] }));
    expect(r.events.map((e) => e.doc['auditID'])).toEqual(['small']);
    expect(d.stats().tooLarge).toBe(1);
    expect(new K8sAuditDecoder().decode(JSON.stringify(big)).events).toHaveLength(1);
  });

  it('survives events nested too deeply to serialise', () => {
    const deep = `${'['.repeat(20000)}${']'.repeat(20000)}`;
    const text = `{"kind":"Event","auditID":"d","stageTimestamp":{"x":${deep}},"requestObject":${deep}}`;
    const ok = `{"kind":"Event","auditID":"d","stageTimestamp":"2024-05-01T10:00:00Z","requestObject":${deep}}`;
    const d = new K8sAuditDecoder({ maxEventSize: 1000 });
    expect(d.decode(text).events).toEqual([]);
    expect(d.decode(ok).events).toEqual([]);
    expect(d.stats()).toMatchObject({ badTimestamp: 1, tooLarge: 1 });
    expect(new K8sAuditDecoder().decode(ok).events).toHaveLength(1);
  });

  it('decodeValue takes already parsed JSON', () => {
    const d = new K8sAuditDecoder();
    expect(d.decodeValue(event('a')).events).toHaveLength(1);
    expect(d.decodeValue({ nope: true }).ok).toBe(false);
  });
});
