// A small deterministic PRNG (mulberry32) for fuzz and property tests, so a failure reproduces from
// its seed: the benchmark trace generator's own, so tests and benchmarks share one implementation.
export { rng } from '../../bench/gen-trace.mjs';
