// Test-only stand-ins for what the rule loader produces: a CompiledRule-like object whose output
// template reads flat field values from `event.given` (see eventFromFields). Just enough for the
// formatter and the outputs; the real template compiler lives in src/rules.
import type { Priority } from '../../src/common/priority.js';
import { eventFromFields, type Event, type SyscallEvent } from '../../src/event/types.js';
import type { CompiledRule, OutputTemplate } from '../../src/rules/types.js';

const TOKEN = /%([A-Za-z0-9_.]+(?:\[[^\]]*\])?)/g;

export function testTemplate(text: string): OutputTemplate {
  const fieldNames = [...new Set([...text.matchAll(TOKEN)].map((m) => m[1] as string))];
  const value = (event: Event, name: string): unknown => event.given?.[name];
  return {
    text,
    fieldNames,
    render(event) {
      return text.replace(TOKEN, (_, name: string) => {
        const v = value(event, name);
        return v === undefined || v === null ? '<NA>' : String(v);
      });
    },
    fields(event) {
      const out: Record<string, unknown> = {};
      for (const n of fieldNames) out[n] = value(event, n) ?? null;
      return out;
    },
  };
}

export interface TestRuleSpec {
  readonly id?: number;
  readonly name: string;
  readonly priority?: Priority;
  readonly source?: string;
  readonly tags?: readonly string[];
  readonly output: string;
}

export function testRule(spec: TestRuleSpec): CompiledRule {
  return {
    id: spec.id ?? 0,
    name: spec.name,
    desc: '',
    priority: spec.priority ?? 4,
    source: spec.source ?? 'syscall',
    tags: [...new Set(spec.tags ?? [])].sort(),
    enabled: true,
    output: testTemplate(spec.output),
  } as unknown as CompiledRule;
}

/** An event with the given flat field values and timestamp (decimal ns). */
export function testEvent(fields: Record<string, unknown>, ts = '1470327477881781397'): SyscallEvent {
  const ev = eventFromFields(fields);
  ev.ts = ts;
  return ev;
}
