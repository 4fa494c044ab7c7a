// Runs a real nats-server for tests: on a free port, optionally with JetStream and a store directory,
// and can be stopped and restarted on the same port (to test outages).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const NATS_SERVER = ['/usr/sbin/nats-server', '/usr/bin/nats-server', '/usr/local/bin/nats-server'].find((p) => existsSync(p));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a !== null ? a.port : 0));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = createConnection({ port, host: '127.0.0.1' });
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export interface NatsServerOptions {
  readonly jetstream?: boolean;
  /** Extra command-line arguments (auth, config file, …). */
  readonly args?: readonly string[];
}

export class NatsServer {
  readonly port: number;
  readonly url: string;
  readonly storeDir: string;
  #proc: ChildProcess | undefined;
  readonly #opts: NatsServerOptions;

  private constructor(port: number, opts: NatsServerOptions) {
    this.port = port;
    // (the port is chosen free, but another process may take it before nats-server binds: start() retries)
    this.url = `nats://127.0.0.1:${port}`;
    this.storeDir = mkdtempSync(join(tmpdir(), 'peregrine-nats-'));
    this.#opts = opts;
  }

  static async start(opts: NatsServerOptions = {}): Promise<NatsServer> {
    for (let attempt = 1; ; attempt++) {
      const s = new NatsServer(await freePort(), opts);
      try {
        await s.restart();
        return s;
      } catch (err) {
        rmSync(s.storeDir, { recursive: true, force: true });
        if (attempt >= 5 || !/address already in use/i.test(String(err))) throw err;
      }
    }
  }

  /** Starts (again) on the same port and store directory; resolves once it accepts connections. */
  async restart(): Promise<void> {
    if (NATS_SERVER === undefined) throw new Error('nats-server is not installed');
    const args = ['-a', '127.0.0.1', '-p', String(this.port), ...(this.#opts.jetstream === true ? ['-js', '-sd', this.storeDir] : []), ...(this.#opts.args ?? [])];
    const proc = spawn(NATS_SERVER, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let log = '';
    proc.stderr?.on('data', (d: Buffer) => {
      log += d.toString();
    });
    this.#proc = proc;
    const deadline = Date.now() + 10_000;
    while (Date.now() < deadline) {
      if (proc.exitCode !== null) throw new Error(`nats-server on port ${this.port} exited: ${log}`);
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error(`nats-server did not start: ${log}`);
  }

  /** Stops the server (SIGTERM) and waits for it to exit. */
  async stop(): Promise<void> {
    const p = this.#proc;
    this.#proc = undefined;
    if (p === undefined || p.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      p.once('exit', () => resolve());
      p.kill('SIGTERM');
    });
  }

  async dispose(): Promise<void> {
    await this.stop();
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}

/** Polls until `cond` holds or `ms` passes; returns whether it held. */
export async function until(cond: () => boolean | Promise<boolean>, ms = 10_000, every = 10): Promise<boolean> {
  const deadline = Date.now() + ms;
  for (;;) {
    if (await cond()) return true;
    if (Date.now() > deadline) return false;
    await new Promise((r) => setTimeout(r, every));
  }
}

/**
 * A TCP proxy in front of a server whose door the test controls: while shut, new connections are
 * refused (closed at once) and existing ones are cut. Lets a test decide when a client may reconnect.
 */
export class GateProxy {
  port = 0;
  isOpen = true;
  readonly #target: number;
  readonly #server = createServer((client) => this.accept(client));
  readonly #sockets = new Set<import('node:net').Socket>();

  private constructor(target: number) {
    this.#target = target;
  }

  static async start(target: number): Promise<GateProxy> {
    const g = new GateProxy(target);
    await new Promise<void>((resolve) => g.#server.listen(0, '127.0.0.1', () => resolve()));
    const a = g.#server.address();
    g.port = typeof a === 'object' && a !== null ? a.port : 0;
    return g;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  shut(): void {
    this.isOpen = false;
    for (const s of this.#sockets) s.destroy();
    this.#sockets.clear();
  }

  open(): void {
    this.isOpen = true;
  }

  async close(): Promise<void> {
    this.shut();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }

  private accept(client: import('node:net').Socket): void {
    if (!this.isOpen) {
      client.destroy();
      return;
    }
    const upstream = createConnection({ port: this.#target, host: '127.0.0.1' });
    this.#sockets.add(client);
    this.#sockets.add(upstream);
    const end = (): void => {
      client.destroy();
      upstream.destroy();
      this.#sockets.delete(client);
      this.#sockets.delete(upstream);
    };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    client.pipe(upstream);
    upstream.pipe(client);
  }
}

/** True when a nats-server binary is installed (scripts/test.sh installs it). */
export const HAS_NATS_SERVER = NATS_SERVER !== undefined;

export interface RunningNats {
  readonly url: string;
  stop(): Promise<void>;
}

/** A plain core-NATS server on a free port, removed again by stop(). */
export async function startNats(): Promise<RunningNats> {
  const s = await NatsServer.start();
  return { url: s.url, stop: () => s.dispose() };
}
