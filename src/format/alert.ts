// The Alert: what a rule match becomes. Plain data (rule, priority, source, tags, time, hostname,
// message, output_fields) plus the two wire forms, each built at most once and only when an output
// asks for it, so one alert shared by several outputs is rendered once per form.
//
// JSON layout (matches real Falco alerts byte for byte, see test/format): the top-level keys sorted
// (hostname, message, output, priority, rule, source, tags, time) followed by
// `, "output_fields": {…}` with the field keys sorted — the "grafted" layout Falco's formatter wrote
// for years. Everything except message, output, time and output_fields is constant per rule and is
// pre-rendered once into `AlertLayout.head` and `AlertLayout.mid`.

import { priorityName, type Priority, type PriorityName } from '../common/priority.js';
import { escapeLine, jsonString } from './escape.js';
import { jsonValue } from './json-value.js';
import { isoTime, jsonTime, localTime, nsDigits } from './time-text.js';

/** The per-rule constant parts of an alert, built once by the formatter. */
export interface AlertLayout {
  /** Text-line time as `%evt.time.iso8601` (true) or local `%evt.time` (false). */
  readonly iso: boolean;
  /** The prefix field Falco adds to output_fields: `evt.time` or `evt.time.iso8601`. */
  readonly timeField: string;
  readonly priorityText: PriorityName;
  /** `{"hostname":"…",` */
  readonly head: string;
  /** `"priority":"…","rule":"…","source":"…","tags":[…],"time":"` (tags only when included). */
  readonly mid: string;
  readonly includeMessage: boolean;
  readonly includeOutput: boolean;
  readonly includeFields: boolean;
  /** output_fields keys (template fields plus the time field), sorted, and as `"key":` JSON. */
  readonly keys: readonly string[];
  readonly keyJson: readonly string[];
  readonly keySet: ReadonlySet<string>;
}

export interface LayoutSpec {
  readonly hostname: string;
  readonly rule: string;
  readonly priority: Priority;
  readonly source: string;
  /** undefined: no `tags` key at all (internal alerts, or json_include_tags_property: false). */
  readonly tags: readonly string[] | undefined;
  readonly iso: boolean;
  readonly includeMessage: boolean;
  readonly includeOutput: boolean;
  readonly includeFields: boolean;
  readonly fieldNames: readonly string[];
}

export function buildLayout(spec: LayoutSpec): AlertLayout {
  const timeField = spec.iso ? 'evt.time.iso8601' : 'evt.time';
  const keys = [...new Set([...spec.fieldNames, timeField])].sort();
  const priorityText = priorityName(spec.priority);
  let mid = `"priority":${jsonString(priorityText)},"rule":${jsonString(spec.rule)},"source":${jsonString(spec.source)},`;
  if (spec.tags !== undefined) mid += `"tags":[${spec.tags.map(jsonString).join(',')}],`;
  mid += '"time":"';
  return {
    iso: spec.iso,
    timeField,
    priorityText,
    head: `{"hostname":${jsonString(spec.hostname)},`,
    mid,
    includeMessage: spec.includeMessage,
    includeOutput: spec.includeOutput,
    includeFields: spec.includeFields,
    keys,
    keyJson: keys.map((k) => `${jsonString(k)}:`),
    keySet: new Set(keys),
  };
}

/** Nanoseconds as an exact JSON-able integer: a number when safe, else a bigint. */
export function nsValue(ts: string): number | bigint | null {
  if (!/^[0-9]{1,20}$/.test(ts)) return null;
  const n = Number(ts);
  return Number.isSafeInteger(n) ? n : BigInt(ts);
}

/** The current wall-clock time as decimal nanoseconds since the epoch. */
export function nowNs(): string {
  return (BigInt(Date.now()) * 1_000_000n).toString();
}

export const SUPPRESSED_FIELD = 'peregrine.suppressed';

export class Alert {
  #output: string | undefined;
  #text: string | undefined;
  #json: string | undefined;
  #fields: Readonly<Record<string, unknown>> | undefined;

  constructor(
    /** The CompiledRule id, or -1 for internal alerts. */
    readonly ruleId: number,
    readonly rule: string,
    readonly priority: Priority,
    readonly source: string,
    /** Sorted and de-duplicated. */
    readonly tags: readonly string[],
    /** Event time: decimal nanoseconds since the epoch, 1–20 digits (the formatter guarantees it). */
    readonly time: string,
    readonly hostname: string,
    /** The rendered rule output (control characters not escaped). */
    readonly message: string,
    /** The template's output_fields, without the time prefix field. */
    readonly templateFields: Readonly<Record<string, unknown>>,
    readonly layout: AlertLayout,
  ) {}

  get priorityName(): PriorityName {
    return this.layout.priorityText;
  }

  /** The full text line before escaping: `<time>: <Priority> <message>` (JSON `output`). */
  get output(): string {
    if (this.#output === undefined) {
      // join() yields a flat string; JSON-escaping a flat string is about twice as fast as a rope.
      this.#output = [this.outputPrefix(), this.message].join('');
    }
    return this.#output;
  }

  /** `<time>: <Priority> `, what the output puts before the message (nothing in it needs escaping). */
  private outputPrefix(): string {
    return `${this.layout.iso ? isoTime(this.time) : localTime(this.time)}: ${this.layout.priorityText} `;
  }

  /** The text alert line (no newline), control characters escaped (spec §4.4). */
  text(): string {
    return (this.#text ??= escapeLine(this.output));
  }

  /** The JSON alert (no newline), Falco's key order and byte layout (spec §4.5). */
  json(): string {
    if (this.#json === undefined) {
      const L = this.layout;
      let s = L.head;
      // The output is time, priority and message: when the message's JSON form needs no escapes,
      // neither does the output's, so the message is scanned once for both.
      const message = L.includeMessage || L.includeOutput ? jsonString(this.message) : '';
      if (L.includeMessage) s += `"message":${message},`;
      if (L.includeOutput) {
        s += message.length === this.message.length + 2
          ? `"output":"${this.outputPrefix()}${message.slice(1)},`
          : `"output":${jsonString(this.output)},`;
      }
      s += `${L.mid}${jsonTime(this.time)}"`;
      s += L.includeFields ? `, "output_fields": ${this.fieldsJson()}}` : '}';
      this.#json = s;
    }
    return this.#json;
  }

  /** A field value as it appears in output_fields (the time prefix field included); undefined if absent. */
  fieldValue(key: string): unknown {
    return key === this.layout.timeField ? nsValue(this.time) : this.templateFields[key];
  }

  /** output_fields as an object: the template fields plus the time prefix field. */
  get outputFields(): Readonly<Record<string, unknown>> {
    return (this.#fields ??= { ...this.templateFields, [this.layout.timeField]: nsValue(this.time) });
  }

  /**
   * This alert annotated with the number of similar alerts a throttle suppressed before it:
   * output_fields gains `peregrine.suppressed: n` and the message a readable suffix.
   */
  withSuppressed(n: number, window: string): Alert {
    return new Alert(this.ruleId, this.rule, this.priority, this.source, this.tags, this.time, this.hostname,
      `${this.message} (peregrine: ${n} similar alert${n === 1 ? '' : 's'} suppressed in ${window})`,
      { ...this.templateFields, [SUPPRESSED_FIELD]: n }, this.layout);
  }

  private fieldsJson(): string {
    const L = this.layout;
    const raw = this.templateFields;
    let keys = L.keys;
    let keyJson = L.keyJson;
    for (const k in raw) {
      if (!L.keySet.has(k)) {
        // Fields beyond the template's (e.g. added by a throttle): sort this alert's keys itself.
        keys = [...new Set([...Object.keys(raw), L.timeField])].sort();
        keyJson = keys.map((key) => `${jsonString(key)}:`);
        break;
      }
    }
    let s = '{';
    for (let i = 0; i < keys.length; i++) {
      if (i > 0) s += ',';
      const k = keys[i] as string;
      s += (keyJson[i] as string) + (k === L.timeField ? nsDigits(this.time) : jsonValue(this.templateFields[k]));
    }
    return `${s}}`;
  }
}
