// The event types a detection session uses — its rules' and the state tables' — for decoders that
// skip records of other types without parsing them (DecodeOptions.eventTypes). Updated when the
// rules are reloaded: a record is checked against the rules running when it is read.

import { typeSetHas, type TypeSet } from '../condition/evttypes.js';
import type { EventTypeFilter } from '../decode/types.js';
import type { Engine } from '../engine/engine.js';
import { STATE_EVENT_TYPES } from '../state/tracker.js';

/** The filter for a config: undefined when it asks to decode every record (decode.skip_unused_types: false). */
export function eventTypesFor(config: Readonly<Record<string, unknown>>, engine: Engine): SessionEventTypes | undefined {
  const decode = config['decode'] as { skip_unused_types?: boolean } | undefined;
  return decode?.skip_unused_types === false ? undefined : new SessionEventTypes(engine);
}

export class SessionEventTypes implements EventTypeFilter {
  private rules: TypeSet;

  constructor(engine: Engine) {
    this.rules = engine.eventTypes('syscall');
  }

  /** Takes the event types of a new engine's rules. */
  update(engine: Engine): void {
    this.rules = engine.eventTypes('syscall');
  }

  needs(type: string): boolean {
    return STATE_EVENT_TYPES.has(type) || typeSetHas(this.rules, type);
  }
}
