// The NATS output: alerts as Falco JSON on subjects from a template (default falco.<priority>.<rule>),
// over one long-lived connection that reconnects forever with backoff. Optional JetStream publishing
// waits for each message's PubAck and de-duplicates re-sends by message id (Nats-Msg-Id).
//
// Delivery: an alert counts as sent only once the server confirmed it — core NATS: a PING/PONG round
// trip after its PUB (the server processed everything before the PONG); JetStream: its PubAck.
// Core publishing is pipelined: write() publishes and returns while up to PIPELINE_WINDOW messages
// await confirmation, one confirmation loop covering everything published before its PING. If a
// confirmation fails, or the connection dropped since those messages were published, every
// unconfirmed message goes to the spool, in order, before anything newer.
// While the server is away (or a confirmation fails) alerts go to the spool and are published
// IN ORDER when it returns; new alerts queue behind the spool until it is empty. Across a disconnect
// delivery is at-least-once: a batch whose confirmation was lost is sent again (JetStream drops such
// duplicates within the stream's duplicate window; core subscribers may see them twice).
// nats.js discards publishes it buffered while disconnected, so nothing is published while down.
//
// Every publish, spool append and spool read runs under one lock, one step at a time; writes and the
// spool drainer interleave step by step, so order holds and a draining spool never blocks a write.

import { access, readFile } from 'node:fs/promises';
import { constants as fsConstants } from 'node:fs';
import { connect, credsAuthenticator, errors, nkeyAuthenticator, nuid, type NatsConnection, type NodeConnectionOptions } from '@nats-io/transport-node';
import { jetstream, jetstreamManager, JetStreamApiCodes, JetStreamApiError, type JetStreamClient } from '@nats-io/jetstream';
import type { Alert } from '../format/alert.js';
import { LogLimiter } from './rate-limit.js';
import type { Spool } from './spool.js';
import { compileSubject, DEFAULT_SUBJECT, subjectWildcard } from './subject.js';
import type { AlertSink, Logger, SinkHooks, SinkStats } from './types.js';
import { silentLogger } from './types.js';
import type { Priority } from '../common/priority.js';

export interface NatsAuth {
  readonly user?: string | undefined;
  readonly password?: string | undefined;
  readonly token?: string | undefined;
  /** File holding an nkey seed (SU…). */
  readonly nkeySeedFile?: string | undefined;
  /** A .creds file (user JWT + nkey seed). */
  readonly credsFile?: string | undefined;
}

export interface NatsTls {
  readonly caFile?: string | undefined;
  readonly certFile?: string | undefined;
  readonly keyFile?: string | undefined;
  /** TLS before the NATS INFO (servers with handshake_first). */
  readonly handshakeFirst?: boolean | undefined;
}

export interface NatsJetStreamOptions {
  /** Stream to ensure exists (with createStream); publishing itself goes by subject. */
  readonly stream: string;
  /** Create the stream when missing (file storage, capturing `subjects`). */
  readonly createStream: boolean;
  /** Subjects of a created stream. Default: the subject template with placeholder tokens as `*`. */
  readonly subjects?: readonly string[] | undefined;
  /** Duplicate window of a created stream, ms. Default 120000. */
  readonly duplicateWindowMs?: number | undefined;
  /** How long to wait for a PubAck, ms. Default 5000. */
  readonly ackTimeoutMs?: number | undefined;
}

export interface NatsSinkOptions {
  readonly servers: readonly string[];
  readonly subject?: string | undefined;
  /** Connection name shown by the server. Default "peregrine". */
  readonly name?: string | undefined;
  readonly auth?: NatsAuth | undefined;
  readonly tls?: NatsTls | undefined;
  readonly jetstream?: NatsJetStreamOptions | undefined;
  readonly spool: Spool;
  /** When the spool is full: wait for room (true, block policy) or drop and count (false). */
  readonly blockWhenSpoolFull?: boolean | undefined;
  /** Reconnect backoff: first wait and cap, ms. Defaults 250 and 5000. */
  readonly reconnectWaitMs?: number | undefined;
  readonly maxReconnectWaitMs?: number | undefined;
  /** Connect timeout, ms. Default 5000. */
  readonly connectTimeoutMs?: number | undefined;
  /** Server PINGs; a connection missing 2 PONGs in a row is stale and reconnects. Default 20000 ms. */
  readonly pingIntervalMs?: number | undefined;
  /** Longest wait for a core batch's confirmation, ms. Default 5000. */
  readonly confirmTimeoutMs?: number | undefined;
  /** Records per spool read when catching up. Default 512. */
  readonly drainBatch?: number | undefined;
  /** How long close() keeps delivering the spool, ms. Default 10000. */
  readonly closeDrainTimeoutMs?: number | undefined;
}

interface Item {
  readonly subject: string;
  readonly msgId: string;
  readonly payload: Uint8Array;
}

const NL = 0x0a;
const CRITICAL: Priority = 2;
/** Core messages published but not yet confirmed, at most (write() waits above it). */
const PIPELINE_WINDOW = 4096;

/** Spool record: `subject \n msgId \n payload`. Neither a subject nor a message id holds a newline. */
function encodeItem(it: Item): Buffer {
  const head = Buffer.from(`${it.subject}\n${it.msgId}\n`, 'utf8');
  return Buffer.concat([head, it.payload]);
}

function decodeItem(b: Buffer): Item | undefined {
  const a = b.indexOf(NL);
  const c = a < 0 ? -1 : b.indexOf(NL, a + 1);
  if (c < 0) return undefined;
  return { subject: b.toString('utf8', 0, a), msgId: b.toString('utf8', a + 1, c), payload: b.subarray(c + 1) };
}

class Mutex {
  #tail: Promise<unknown> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const r = this.#tail.then(fn);
    this.#tail = r.then(() => undefined, () => undefined);
    return r;
  }
}

/** Errors that retrying cannot fix: the message itself is refused (too big, rejected by the stream). */
function permanent(err: unknown): boolean {
  return err instanceof errors.InvalidArgumentError || (err instanceof JetStreamApiError && !streamNotFound(err));
}

function streamNotFound(err: unknown): boolean {
  return err instanceof JetStreamApiError && err.code === JetStreamApiCodes.StreamNotFound;
}

function timeout<T>(p: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    p,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} not confirmed within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}

export class NatsSink implements AlertSink {
  readonly type = 'nats';
  readonly #o: NatsSinkOptions;
  readonly #subject: (a: Alert) => string;
  readonly #spool: Spool;
  readonly #lock = new Mutex();
  readonly #limiter = new LogLimiter();
  readonly #idPrefix = nuid.next();
  #seq = 0;
  #log: Logger = silentLogger;
  #hooks: SinkHooks | undefined;
  #name = 'nats';
  #auth: Partial<NodeConnectionOptions> = {};
  #nc: NatsConnection | undefined;
  #js: JetStreamClient | undefined;
  #connected = false;
  /** A publish failed while connected: spool until a catch-up step succeeds. */
  #failing = false;
  #streamReady = false;
  #draining = false;
  #closing = false;
  #retryTimer: NodeJS.Timeout | undefined;
  #retryWait = 0;
  #sleepCancel: (() => void) | undefined;
  #reconnectAttempt = 0;
  #spaceWaiters: (() => void)[] = [];
  #connectWaiters: (() => void)[] = [];
  #sent = 0;
  #failed = 0;
  #spooled = 0;
  #spoolDropped = 0;
  #lostSinceNotice = 0;
  #duplicates = 0;
  #reconnects = 0;
  /** Core messages published directly and awaiting confirmation, oldest first. */
  #unconfirmed: Item[] = [];
  /** The running confirmation loop; resolves when #unconfirmed is empty (confirmed or spooled). */
  #confirming: Promise<void> | undefined;
  /** Bumped on every disconnect: a message published in an earlier epoch may have been discarded. */
  #epoch = 0;

  constructor(options: NatsSinkOptions) {
    this.#o = options;
    this.#subject = compileSubject(options.subject ?? DEFAULT_SUBJECT);
    this.#spool = options.spool;
  }

  async open(hooks: SinkHooks): Promise<void> {
    this.#hooks = hooks;
    this.#name = hooks.name;
    this.#log = hooks.logger;
    this.#auth = await this.authOptions();
    if (this.#spool.records > 0) {
      this.#log.info({ output: this.#name, records: this.#spool.records }, `output ${this.#name}: alerts spooled by an earlier run will be delivered first`);
    }
    void this.connectLoop();
  }

  async write(batch: readonly Alert[]): Promise<void> {
    // Message ids serve JetStream de-duplication only; core NATS has no use for them.
    const js = this.#o.jetstream !== undefined;
    let items: Item[] = batch.map((a) => ({
      subject: this.#subject(a),
      msgId: js ? `${this.#idPrefix}.${++this.#seq}` : '',
      payload: Buffer.from(a.json(), 'utf8'),
    }));
    for (;;) {
      items = await this.#lock.run(() => this.submit(items));
      if (items.length === 0) return;
      if (this.#o.blockWhenSpoolFull !== true || this.#closing) {
        this.#spoolDropped += items.length;
        this.#lostSinceNotice += items.length;
        const skipped = this.#limiter.allow('spool-full');
        if (skipped !== undefined) {
          const n = this.#lostSinceNotice;
          this.#lostSinceNotice = 0;
          this.#log.error({ output: this.#name, dropped: n, droppedTotal: this.#spoolDropped, spool: this.#spool.stats() },
            `output ${this.#name}: NATS unavailable and spool full; alerts dropped`);
          this.#hooks?.notice({
            what: 'output spool full',
            priority: CRITICAL,
            message: `output ${this.#name}: NATS unavailable and its spool is full (${this.#spool.stats().maxBytes} bytes); dropped ${n} alert${n === 1 ? '' : 's'} (${this.#spoolDropped} in total)`,
            fields: { output: this.#name, dropped: n, dropped_total: this.#spoolDropped },
          });
        }
        return;
      }
      await new Promise<void>((resolve) => this.#spaceWaiters.push(resolve));
    }
  }

  /** Delivers the spool if the server is there (bounded by the confirm timeout per step). */
  async flush(): Promise<void> {
    await this.#lock.run(() => Promise.resolve());
    await this.#confirming;
    while (this.#connected && this.#spool.records > 0 && !this.#closing) {
      if (!(await this.#lock.run(() => this.drainStep()))) break;
    }
  }

  async close(): Promise<void> {
    const deadline = Date.now() + (this.#o.closeDrainTimeoutMs ?? 10_000);
    await this.#lock.run(() => Promise.resolve());
    await this.#confirming;
    // Deliver what is spooled while there is time: wait for a (re)connection if need be.
    while (this.#spool.records > 0 && Date.now() < deadline) {
      if (!this.#connected && !(await this.waitConnected(deadline - Date.now()))) break;
      if (!(await this.#lock.run(() => this.drainStep()))) {
        if (this.#connected) await new Promise((r) => setTimeout(r, Math.min(100, Math.max(0, deadline - Date.now()))));
      }
    }
    this.#closing = true;
    this.wakeSpace();
    if (this.#retryTimer !== undefined) clearTimeout(this.#retryTimer);
    this.#sleepCancel?.();
    await this.#lock.run(() => Promise.resolve());
    const nc = this.#nc;
    this.#nc = undefined;
    this.#connected = false;
    if (nc !== undefined) {
      try {
        await timeout(nc.drain(), Math.max(1000, deadline - Date.now()), 'nats drain');
      } catch {
        await nc.close().catch(() => undefined);
      }
    }
    const left = this.#spool.records;
    if (left > 0) {
      if (this.#spool.durable) {
        this.#log.warn({ output: this.#name, records: left }, `output ${this.#name}: undelivered alerts stay in the spool for the next run`);
      } else {
        this.#failed += left;
        this.#log.error({ output: this.#name, lost: left }, `output ${this.#name}: server unavailable at shutdown; alerts in the memory spool are lost`);
      }
    }
    this.#spool.close();
  }

  stats(): SinkStats {
    const sp = this.#spool.stats();
    return {
      sent: this.#sent,
      failed: this.#failed + this.#spoolDropped,
      extra: {
        connected: this.#connected ? 1 : 0,
        reconnects_total: this.#reconnects,
        spooled_total: this.#spooled,
        spool_records: sp.records,
        spool_bytes: sp.bytes,
        spool_max_bytes: sp.maxBytes,
        spool_dropped_total: this.#spoolDropped,
        spool_corrupt_total: sp.corrupt,
        duplicates_total: this.#duplicates,
      },
    };
  }

  /** Under the lock: publish directly when healthy and nothing is spooled, else spool. Returns what did not fit. */
  private async submit(items: Item[]): Promise<Item[]> {
    const direct = (): boolean => this.#connected && !this.#failing && this.#spool.records === 0;
    // Unconfirmed messages are older than these: unless these can join them in the pipeline, let
    // them settle first (confirmed, or spooled ahead of these).
    if (this.#o.jetstream !== undefined || !direct()) await this.#confirming;
    const nc = this.#nc;
    if (this.#o.jetstream === undefined && nc !== undefined && direct()) {
      this.publishPipelined(nc, items);
      if (this.#unconfirmed.length > PIPELINE_WINDOW) await this.#confirming;
      return [];
    }
    if (direct()) {
      const settled = await this.publish(items);
      if (settled === items.length) return [];
      this.markFailing();
      items = items.slice(settled);
    }
    const n = this.#spool.append(items.map(encodeItem));
    this.#spooled += n;
    this.kickDrain();
    return n === items.length ? [] : items.slice(n);
  }

  /** Under the lock: publishes one spool batch. False when there is nothing more to do right now. */
  private async drainStep(): Promise<boolean> {
    if (!this.#connected) return false;
    const batch = this.#spool.peek(this.#o.drainBatch ?? 512);
    if (batch === undefined) {
      this.#failing = false;
      return false;
    }
    const items: Item[] = [];
    const recordOf: number[] = []; // items[i] came from batch.records[recordOf[i]]
    batch.records.forEach((r, k) => {
      const it = decodeItem(r);
      if (it === undefined) {
        this.#failed++;
        return;
      }
      items.push(it);
      recordOf.push(k);
    });
    const settled = await this.publish(items);
    this.wakeSpace();
    if (settled < items.length) {
      // Commit the settled records; the first unsettled one and all after it stay for the next try.
      const keep = recordOf[settled] as number;
      const prefix = keep > 0 ? this.#spool.peek(keep) : undefined;
      if (prefix !== undefined) this.#spool.commit(prefix);
      this.markFailing();
      return false;
    }
    this.#spool.commit(batch);
    if (this.#spool.records === 0) {
      this.#failing = false;
      this.#retryWait = 0;
      this.#log.info({ output: this.#name }, `output ${this.#name}: spool delivered; publishing directly again`);
      return false;
    }
    return true;
  }

  /** Core, healthy, nothing spooled: publishes now; the confirmation loop settles the messages later. */
  private publishPipelined(nc: NatsConnection, items: Item[]): void {
    for (const it of items) {
      try {
        nc.publish(it.subject, it.payload);
      } catch (err) {
        if (permanent(err)) {
          this.refused(err, it);
          continue;
        }
        this.transient(err);
      }
      this.#unconfirmed.push(it);
    }
    this.#confirming ??= this.confirmLoop(nc);
  }

  /**
   * Confirms pipelined messages with PING/PONG round trips until none is left. A PONG confirms the
   * messages published before its PING, unless the connection dropped in between (nats.js discards
   * what it buffered while disconnected). On any failure all unconfirmed messages are spooled, in
   * order, synchronously — so no newer message can be spooled or published before them.
   */
  private async confirmLoop(nc: NatsConnection): Promise<void> {
    try {
      while (this.#unconfirmed.length > 0) {
        const count = this.#unconfirmed.length;
        const epoch = this.#epoch;
        let ok = this.#connected && this.#nc === nc;
        if (ok) {
          try {
            await timeout(nc.flush(), this.#o.confirmTimeoutMs ?? 5000, 'nats publish');
          } catch (err) {
            this.transient(err);
            ok = false;
          }
        }
        if (!ok || epoch !== this.#epoch || this.#nc !== nc) {
          this.spoolUnconfirmed();
          return;
        }
        this.#sent += count;
        this.#unconfirmed.splice(0, count);
      }
    } finally {
      this.#confirming = undefined;
    }
  }

  private spoolUnconfirmed(): void {
    const items = this.#unconfirmed;
    this.#unconfirmed = [];
    const n = this.#spool.append(items.map(encodeItem));
    this.#spooled += n;
    if (n < items.length) {
      // No way to wait for room here (the writers already returned): count the loss, loudly.
      const lost = items.length - n;
      this.#spoolDropped += lost;
      this.#log.error({ output: this.#name, dropped: lost, droppedTotal: this.#spoolDropped }, `output ${this.#name}: unconfirmed alerts did not fit in the spool; dropped`);
    }
    this.markFailing();
    this.kickDrain();
  }

  /**
   * Publishes and waits for confirmation; never throws. Returns how many leading items are settled —
   * confirmed, or refused for good (counted failed) — the rest must be tried again, in order.
   * Core NATS confirms a batch as a whole (all or nothing); JetStream per message.
   */
  private async publish(items: Item[]): Promise<number> {
    const nc = this.#nc;
    if (nc === undefined || !this.#connected) return 0;
    if (this.#o.jetstream !== undefined) return this.publishJetStream(nc, items);
    const refused: [unknown, Item][] = [];
    try {
      for (const it of items) {
        try {
          nc.publish(it.subject, it.payload);
        } catch (err) {
          if (!permanent(err)) throw err;
          refused.push([err, it]);
        }
      }
      await timeout(nc.flush(), this.#o.confirmTimeoutMs ?? 5000, 'nats publish');
    } catch (err) {
      this.transient(err);
      return 0; // nothing confirmed: the whole batch is tried again (refusals are counted then)
    }
    for (const [err, it] of refused) this.refused(err, it);
    this.#sent += items.length - refused.length;
    return items.length;
  }

  private async publishJetStream(nc: NatsConnection, items: Item[]): Promise<number> {
    const jsOpts = this.#o.jetstream as NatsJetStreamOptions;
    try {
      if (!this.#streamReady && jsOpts.createStream) await this.ensureStream(nc, jsOpts);
    } catch (err) {
      this.transient(err);
      return 0;
    }
    const js = (this.#js ??= jetstream(nc));
    const ackTimeout = jsOpts.ackTimeoutMs ?? 5000;
    const settled = await Promise.allSettled(items.map((it) => js.publish(it.subject, it.payload, { msgID: it.msgId, timeout: ackTimeout })));
    for (let i = 0; i < settled.length; i++) {
      const r = settled[i] as PromiseSettledResult<{ duplicate: boolean }>;
      if (r.status === 'fulfilled') {
        this.#sent++;
        if (r.value.duplicate) this.#duplicates++;
      } else if (permanent(r.reason)) {
        this.refused(r.reason, items[i] as Item);
      } else {
        // Everything from here is sent again; re-sends that did arrive are dropped by the stream (same msgID).
        this.transient(r.reason);
        this.#streamReady = false;
        return i;
      }
    }
    return items.length;
  }

  private async ensureStream(nc: NatsConnection, o: NatsJetStreamOptions): Promise<void> {
    const jsm = await jetstreamManager(nc, { timeout: o.ackTimeoutMs ?? 5000 });
    try {
      await jsm.streams.info(o.stream);
    } catch (err) {
      if (!streamNotFound(err)) throw err;
      const subjects = o.subjects !== undefined && o.subjects.length > 0 ? [...o.subjects] : [subjectWildcard(this.#o.subject ?? DEFAULT_SUBJECT)];
      await jsm.streams.add({ name: o.stream, subjects, duplicate_window: (o.duplicateWindowMs ?? 120_000) * 1_000_000 });
      this.#log.info({ output: this.#name, stream: o.stream, subjects }, `output ${this.#name}: created JetStream stream`);
    }
    this.#streamReady = true;
  }

  private refused(err: unknown, it: Item): void {
    this.#failed++;
    const skipped = this.#limiter.allow('refused');
    if (skipped !== undefined) this.#log.error({ output: this.#name, err, subject: it.subject, bytes: it.payload.length, skipped }, `output ${this.#name}: alert refused by the server; dropped`);
  }

  private transient(err: unknown): void {
    const skipped = this.#limiter.allow('transient');
    if (skipped !== undefined) this.#log.warn({ output: this.#name, err, skipped }, `output ${this.#name}: publish not confirmed; spooling`);
  }

  private markFailing(): void {
    this.#failing = true;
    if (this.#connected) this.scheduleRetry();
  }

  /** Connected but failing (no stream yet, confirmations timing out): retry the spool with backoff. */
  private scheduleRetry(): void {
    if (this.#retryTimer !== undefined || this.#closing) return;
    this.#retryWait = Math.min(this.#o.maxReconnectWaitMs ?? 5000, Math.max(this.#o.reconnectWaitMs ?? 250, this.#retryWait * 2));
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = undefined;
      this.kickDrain();
    }, this.#retryWait);
    this.#retryTimer.unref();
  }

  private kickDrain(): void {
    if (this.#draining || this.#closing || !this.#connected || this.#spool.records === 0) return;
    this.#draining = true;
    void (async () => {
      try {
        while (!this.#closing && (await this.#lock.run(() => this.drainStep())));
      } finally {
        this.#draining = false;
      }
    })();
  }

  /** Resolves true once connected, false after `ms`. */
  private waitConnected(ms: number): Promise<boolean> {
    if (this.#connected) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), Math.max(0, ms));
      this.#connectWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  private wakeConnected(): void {
    const ws = this.#connectWaiters;
    this.#connectWaiters = [];
    for (const w of ws) w();
  }

  private wakeSpace(): void {
    const ws = this.#spaceWaiters;
    this.#spaceWaiters = [];
    for (const w of ws) w();
  }

  private backoff(attempt: number): number {
    const base = this.#o.reconnectWaitMs ?? 250;
    const cap = this.#o.maxReconnectWaitMs ?? 5000;
    const d = Math.min(cap, base * 2 ** Math.min(attempt, 20));
    return Math.round(d / 2 + Math.random() * (d / 2));
  }

  private connectionOptions(): NodeConnectionOptions {
    return {
      servers: [...this.#o.servers],
      name: this.#o.name ?? 'peregrine',
      reconnect: true,
      maxReconnectAttempts: -1,
      reconnectDelayHandler: () => this.backoff(this.#reconnectAttempt++),
      timeout: this.#o.connectTimeoutMs ?? 5000,
      pingInterval: this.#o.pingIntervalMs ?? 20_000,
      maxPingOut: 2,
      // nats.js otherwise captures a stack trace per flush/request: a large cost at alert rates.
      noAsyncTraces: true,
      ...this.#auth,
      ...(this.#o.tls !== undefined ? {
        tls: {
          caFile: this.#o.tls.caFile,
          certFile: this.#o.tls.certFile,
          keyFile: this.#o.tls.keyFile,
          handshakeFirst: this.#o.tls.handshakeFirst,
        },
      } : {}),
    };
  }

  /** Reads secrets from files now, so a missing or unreadable file fails at startup. */
  private async authOptions(): Promise<Partial<NodeConnectionOptions>> {
    const a = this.#o.auth ?? {};
    const out: Partial<NodeConnectionOptions> = {};
    if (a.user !== undefined) out.user = a.user;
    if (a.password !== undefined) out.pass = a.password;
    if (a.token !== undefined) out.token = a.token;
    if (a.nkeySeedFile !== undefined) {
      const seed = (await readFile(a.nkeySeedFile, 'utf8')).trim();
      out.authenticator = nkeyAuthenticator(new TextEncoder().encode(seed));
    }
    if (a.credsFile !== undefined) {
      out.authenticator = credsAuthenticator(new Uint8Array(await readFile(a.credsFile)));
    }
    const tls = this.#o.tls;
    for (const f of [tls?.caFile, tls?.certFile, tls?.keyFile]) {
      if (f !== undefined) await access(f, fsConstants.R_OK);
    }
    return out;
  }

  private async connectLoop(): Promise<void> {
    let attempt = 0;
    while (!this.#closing) {
      try {
        const nc = await connect(this.connectionOptions());
        if (this.#closing) {
          await nc.close();
          return;
        }
        this.attach(nc);
        return;
      } catch (err) {
        const skipped = this.#limiter.allow('connect');
        if (skipped !== undefined) this.#log.warn({ output: this.#name, servers: this.#o.servers, err, skipped }, `output ${this.#name}: cannot connect; spooling and retrying`);
        await this.sleep(this.backoff(attempt++));
      }
    }
  }

  private attach(nc: NatsConnection): void {
    this.#nc = nc;
    this.#js = undefined;
    this.#connected = true;
    this.#streamReady = false;
    this.#reconnectAttempt = 0;
    this.#log.info({ output: this.#name, server: nc.getServer() }, `output ${this.#name}: connected`);
    this.wakeConnected();
    void (async () => {
      for await (const s of nc.status()) {
        if (s.type === 'disconnect') {
          this.#connected = false;
          this.#epoch++;
          this.#log.warn({ output: this.#name, server: s.server }, `output ${this.#name}: disconnected; spooling until reconnected`);
        } else if (s.type === 'reconnect') {
          this.#connected = true;
          this.#reconnects++;
          this.#reconnectAttempt = 0;
          this.#streamReady = false;
          this.#log.info({ output: this.#name, server: s.server }, `output ${this.#name}: reconnected`);
          this.wakeConnected();
          this.kickDrain();
        } else if (s.type === 'error') {
          this.#log.warn({ output: this.#name, err: s.error }, `output ${this.#name}: server error`);
        }
      }
    })();
    void nc.closed().then((err) => {
      if (this.#nc !== nc) return;
      this.#nc = undefined;
      this.#connected = false;
      this.#epoch++;
      if (this.#closing) return;
      this.#log.warn({ output: this.#name, err }, `output ${this.#name}: connection closed; connecting again`);
      void this.connectLoop();
    });
    this.kickDrain();
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(done, ms);
      function done(): void {
        clearTimeout(t);
        resolve();
      }
      this.#sleepCancel = done;
    });
  }
}
