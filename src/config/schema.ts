// The peregrine.yaml schema: every key with its type, default and description. Validation walks
// this description, so unknown keys and wrong types are reported with their path (and, for keys
// read from a file, their line and column). Falco's names are kept where Falco has the setting.

export type Spec =
  | { readonly type: 'string' | 'bool' | 'int' | 'duration' | 'any'; readonly default?: unknown; readonly desc: string }
  | { readonly type: 'enum'; readonly values: readonly string[]; readonly default?: string; readonly desc: string }
  | { readonly type: 'list'; readonly item: Spec; readonly default?: unknown[]; readonly desc: string }
  | { readonly type: 'map'; readonly fields: Readonly<Record<string, Spec>>; readonly desc: string; readonly open?: boolean; readonly optional?: boolean };

const bool = (def: boolean, desc: string): Spec => ({ type: 'bool', default: def, desc });
const str = (def: string | undefined, desc: string): Spec => ({ type: 'string', default: def, desc });
const int = (def: number, desc: string): Spec => ({ type: 'int', default: def, desc });

export const PRIORITY_VALUES = ['emergency', 'alert', 'critical', 'error', 'warning', 'notice', 'informational', 'info', 'debug'] as const;

const selectionEntry: Spec = {
  type: 'map', desc: 'one enable/disable entry: {enable|disable: {rule: "wildcard", tag: "tag"}}',
  fields: {
    enable: { type: 'map', optional: true, desc: 'rules to enable', fields: { rule: str(undefined, 'rule name; * matches any text'), tag: str(undefined, 'a tag the rule has') } },
    disable: { type: 'map', optional: true, desc: 'rules to disable', fields: { rule: str(undefined, 'rule name; * matches any text'), tag: str(undefined, 'a tag the rule has') } },
  },
};

const appendOutputEntry: Spec = {
  type: 'map', desc: 'extra output for matching rules (Falco append_output)',
  fields: {
    match: { type: 'map', optional: true, desc: 'which rules: all given keys must match', fields: {
      source: str(undefined, 'event source'), rule: str(undefined, 'rule name'),
      tags: { type: 'list', item: { type: 'string', desc: 'tag' }, desc: 'tags the rule must all have' },
    } },
    extra_output: str(undefined, 'text appended to the rule output (may use %fields)'),
    extra_fields: { type: 'list', item: { type: 'any', desc: 'a field name, or {name: format}' }, desc: 'fields added to output_fields only' },
  },
};

const sourceEntry: Spec = {
  type: 'map', open: true, desc: 'an event source',
  fields: {
    type: { type: 'enum', values: ['file', 'stdin', 'nats', 'ebpf', 'command', 'scap', 'k8s_audit_webhook', 'k8s_audit_file'], desc: 'kind of source' },
    format: { type: 'enum', values: ['auto', 'native', 'falco-json', 'sysdig', 'tetragon', 'tracee', 'k8s_audit'], default: 'auto', desc: 'input format' },
    path: str(undefined, 'file path (file, scap, k8s_audit_file)'),
    follow: bool(false, 'keep reading as the file grows, across rotation'),
    url: str(undefined, 'NATS server URL(s), comma separated'),
    subject: str(undefined, 'NATS subject'),
    queue: str(undefined, 'NATS queue group (workers sharing one stream)'),
    command: { type: 'list', item: { type: 'string', desc: 'argv' }, desc: 'command and arguments of a sensor process' },
    scan_proc: { type: 'bool', desc: 'seed the process table from /proc at start (ebpf: default true; command: default false)' },
  },
};

export const CONFIG_SCHEMA: Spec = {
  type: 'map', desc: 'peregrine.yaml',
  fields: {
    rules_files: { type: 'list', item: { type: 'string', desc: 'file, directory or glob' }, default: [], desc: 'rule files, directories (*.yaml, *.yml) or globs, loaded in order' },
    priority: { type: 'enum', values: PRIORITY_VALUES, default: 'debug', desc: 'load only rules at least this severe' },
    rule_matching: { type: 'enum', values: ['first', 'all'], default: 'first', desc: 'stop at the first matching rule, or report every match' },
    rules: { type: 'list', item: selectionEntry, default: [], desc: 'enable/disable rules by name wildcard or tag, in order, after all files load' },
    json_output: bool(false, 'alerts as Falco JSON (else Falco text lines)'),
    json_include_output_property: bool(true, 'JSON alerts carry "output"'),
    json_include_tags_property: bool(true, 'JSON alerts carry "tags"'),
    json_include_message_property: bool(false, 'JSON alerts carry "message"'),
    json_include_output_fields_property: bool(true, 'JSON alerts carry "output_fields"'),
    time_format_iso_8601: bool(false, 'text alert times in ISO 8601 (UTC) instead of local HH:MM:SS'),
    hostname: str(undefined, 'hostname in alerts (default: $FALCO_HOSTNAME, then the machine name)'),
    append_output: { type: 'list', item: appendOutputEntry, default: [], desc: 'extra output text and fields for matching rules' },
    sources: { type: 'list', item: sourceEntry, default: [], desc: 'event sources (CLI flags override)' },
    outputs: { type: 'any', desc: 'alert outputs: stdout, file, nats (see README)' },
    watch_config_files: bool(true, 'reload rules on SIGHUP and when a rules file changes'),
    log_level: { type: 'enum', values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], default: 'info', desc: "Peregrine's own log level (stderr)" },
    webserver: {
      type: 'map', desc: 'HTTP endpoint for /healthz and Prometheus /metrics',
      fields: {
        enabled: bool(false, 'serve /healthz and /metrics'),
        listen_address: str('0.0.0.0', 'address to listen on'),
        listen_port: int(8765, 'port to listen on'),
        prometheus_metrics_enabled: bool(true, 'serve /metrics'),
      },
    },
    metrics: {
      type: 'map', desc: 'periodic stats line in the log',
      fields: {
        enabled: bool(true, 'log a stats line periodically'),
        interval: { type: 'duration', default: '60s', desc: 'period of the stats line (e.g. 15s, 5m, 1h)' },
      },
    },
    state: {
      type: 'map', desc: 'process and fd tables',
      fields: {
        max_processes: int(65536, 'LRU cap of the process table'),
        max_fds_per_process: int(1024, 'LRU cap of each process fd table'),
      },
    },
    decode: {
      type: 'map', desc: 'input decoding',
      fields: {
        max_line_bytes: int(1048576, 'longer input lines are counted as bad and skipped'),
        keep_enter_events: bool(false, "keep enter events (evt.dir = '>'); dropped by default"),
        skip_unused_types: bool(true, 'skip native records of event types no enabled rule and no state table uses, without parsing them (counted per input as unused_type_skipped)'),
      },
    },
  },
};

/** Parses durations like "500ms", "15s", "5m", "1h" (a bare number is seconds). */
export function parseDuration(text: string | number): number | undefined {
  if (typeof text === 'number') return text >= 0 ? text * 1000 : undefined;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)?$/.exec(text.trim());
  if (!m) return undefined;
  const n = Number(m[1]);
  const unit = m[2] ?? 's';
  return n * (unit === 'ms' ? 1 : unit === 's' ? 1000 : unit === 'm' ? 60_000 : 3_600_000);
}
