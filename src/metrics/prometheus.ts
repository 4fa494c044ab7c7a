// Prometheus text exposition (format 0.0.4) for Peregrine's counters and gauges. Metrics are
// collected on demand as flat samples from the pipeline's stats objects, so the hot path only
// increments numbers; samples of one name are grouped under a single HELP/TYPE header.

export type MetricType = 'counter' | 'gauge';

export interface MetricSample {
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  readonly labels?: Readonly<Record<string, string>>;
  readonly value: number;
}

function escapeLabel(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
}

function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

export function renderMetrics(samples: readonly MetricSample[]): string {
  const byName = new Map<string, MetricSample[]>();
  for (const s of samples) {
    if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(s.name)) throw new Error(`invalid metric name ${s.name}`);
    const list = byName.get(s.name);
    if (list === undefined) byName.set(s.name, [s]);
    else list.push(s);
  }
  let out = '';
  for (const [name, list] of byName) {
    const first = list[0] as MetricSample;
    out += `# HELP ${name} ${escapeHelp(first.help)}\n# TYPE ${name} ${first.type}\n`;
    for (const s of list) {
      const entries = Object.entries(s.labels ?? {});
      const labels = entries.length > 0 ? `{${entries.map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',')}}` : '';
      out += `${name}${labels} ${formatValue(s.value)}\n`;
    }
  }
  return out;
}
