// Versions Peregrine declares, and the checks of a rule file's `required_engine_version` and
// `required_plugin_versions` against them (spec §1.2–1.3).
//
// Peregrine has no plugins. Requirements on the plugins whose job Peregrine does itself are met by
// its built-in equivalents, declared here with the plugin version whose fields they provide:
// - container: the container.* / k8s.* fields of the syscall source (container plugin 0.6.0);
// - k8saudit:  the ka.* fields of the k8s_audit source (k8saudit plugin 0.18.0, the version the
//              upstream k8s_audit_rules.yaml requires);
// - json:      the json.* / jevt.* fields of the k8s_audit source (json plugin 0.7.0).
// A requirement on any other plugin cannot be met and is a load error, as in Falco.

/** The Falco engine version whose rule language Peregrine implements. */
export const FALCO_ENGINE_VERSION = '0.63.0';

export const CONTAINER_PLUGIN_VERSION = '0.6.0';
export const K8SAUDIT_PLUGIN_VERSION = '0.18.0';
export const JSON_PLUGIN_VERSION = '0.7.0';

/** Built-in plugin equivalents: name → version. */
export const BUILTIN_PLUGIN_VERSIONS: Readonly<Record<string, string>> = Object.freeze({
  container: CONTAINER_PLUGIN_VERSION,
  k8saudit: K8SAUDIT_PLUGIN_VERSION,
  json: JSON_PLUGIN_VERSION,
});

export interface SemVer {
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/** Parses "x.y.z" (an optional -prerelease/+build suffix is accepted and ignored, as libsinsp does). */
export function parseSemver(text: string): SemVer | undefined {
  const m = /^(\d+)\.(\d+)\.(\d+)(?:[-+][0-9A-Za-z.+-]*)?$/.exec(text.trim());
  if (!m) return undefined;
  const [major, minor, patch] = [Number(m[1]), Number(m[2]), Number(m[3])];
  if (![major, minor, patch].every(Number.isSafeInteger)) return undefined;
  return { major, minor, patch };
}

export function compareSemver(a: SemVer, b: SemVer): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch;
}

export function semverText(v: SemVer): string {
  return `${v.major}.${v.minor}.${v.patch}`;
}

/** libsinsp `compatible_with`: same major, and at least the required version. */
export function satisfies(have: SemVer, required: SemVer): boolean {
  return have.major === required.major && compareSemver(have, required) >= 0;
}

/** `required_engine_version: N` means engine version 0.N.0. */
export function implicitEngineVersion(n: number): string {
  return `0.${n}.0`;
}
