// Whether this machine can load the eBPF sensor, for the tests that need the live kernel: why not
// (every missing piece the preflight names), or undefined when it can.
import { preflight, SensorPreflightError } from '../../src/ingest/ebpf-preflight.js';

export function ebpfUnavailable(): string | undefined {
  try {
    preflight();
    return undefined;
  } catch (err) {
    return err instanceof SensorPreflightError ? err.problems.join('; ') : String(err);
  }
}
