// Builds native event lines for state tests: small, explicit process histories.
let clock = 1_732_662_000_000_000_000n;

export function resetClock(): void {
  clock = 1_732_662_000_000_000_000n;
}

export interface NativeRecord {
  type: string;
  pid: number;
  [key: string]: unknown;
}

/** One native line; `ts` advances by 1 µs per record unless given. */
export function native(rec: NativeRecord): string {
  clock += 1000n;
  return JSON.stringify({ ts: clock.toString(), ...rec });
}

/** The parent's side of fork: clone returning the child's pid. */
export function fork(pid: number, child: number, extra: Record<string, unknown> = {}): string {
  return native({ type: 'clone', pid, res: child, args: { flags: 0 }, ...extra });
}

export function exec(pid: number, exe: string, argv: string[], extra: Record<string, unknown> = {}): string {
  const comm = exe.slice(exe.lastIndexOf('/') + 1).slice(0, 15);
  return native({ type: 'execve', pid, res: 0, comm, exe, argv, ...extra });
}

export function exit(pid: number, extra: Record<string, unknown> = {}): string {
  return native({ type: 'procexit', pid, args: { status: 0 }, ...extra });
}
