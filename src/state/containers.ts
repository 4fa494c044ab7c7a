// The container table: one record per container id, merged from every source of metadata (a
// sysdig `container` event, Tetragon's pod info, a native record's container object, flat fields)
// and shared by reference with the processes in it, so metadata that arrives later reaches them.
// Bounded: the least recently inserted record is dropped past the cap (and counted).

import { HOST_CONTAINER, type Container } from '../event/types.js';
import { containerFromCgroups, type CgroupContainer } from './cgroup.js';

type Mutable = { -readonly [K in keyof Container]: Container[K] };

export class ContainerTable {
  private readonly byId = new Map<string, Mutable>();
  private readonly cgroupCache = new Map<string, CgroupContainer | 'host'>();
  evicted = 0;

  constructor(private readonly cap = 4096) {}

  get size(): number {
    return this.byId.size;
  }

  get(id: string): Container | undefined {
    return id === 'host' ? HOST_CONTAINER : this.byId.get(id);
  }

  /** Merges metadata into the record for its id (creating it) and returns the shared record. */
  upsert(c: Container): Container {
    if (c.id === 'host') return HOST_CONTAINER;
    let rec = this.byId.get(c.id);
    if (rec === undefined) {
      if (this.byId.size >= this.cap) {
        const oldest = this.byId.keys().next().value;
        if (oldest !== undefined) {
          this.byId.delete(oldest);
          this.evicted++;
        }
      }
      rec = { id: c.id };
      this.byId.set(c.id, rec);
    }
    for (const key of Object.keys(c) as (keyof Container)[]) {
      const v = c[key];
      if (v !== undefined && key !== 'id') (rec as Record<string, unknown>)[key] = key === 'k8s' && rec.k8s !== undefined ? { ...rec.k8s, ...stripUndefined(v as object) } : v;
    }
    return rec;
  }

  /** The container named by cgroup text (cached), registered in the table; HOST for host cgroups. */
  fromCgroups(text: string): Container {
    let ident = this.cgroupCache.get(text);
    if (ident === undefined) {
      ident = containerFromCgroups(text);
      if (this.cgroupCache.size >= 4096) this.cgroupCache.clear();
      this.cgroupCache.set(text, ident);
    }
    if (ident === 'host') return HOST_CONTAINER;
    const existing = this.byId.get(ident.id);
    if (existing !== undefined) return existing;
    return this.upsert({
      id: ident.id, fullId: ident.fullId, type: ident.type,
      k8s: ident.podUid !== undefined ? { podUid: ident.podUid } : undefined,
    });
  }

  /** The id cgroup text names, without registering it ('host' when it names none). */
  idFromCgroups(text: string): string {
    const ident = containerFromCgroups(text);
    return ident === 'host' ? 'host' : ident.id;
  }
}

function stripUndefined(o: object): object {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
}
