// Field definitions for the `k8s_audit` source: every field of Falco's k8saudit plugin (ka.*), the json
// plugin's json.* fields and their legacy jevt.* aliases, and the evt.* fields libsinsp gives every
// plugin event. Semantics follow the plugins' extractors (plugins/k8saudit/pkg/k8saudit/extract.go,
// plugins/json/pkg/json/json.go):
//
// - Every ka.* field is a string (or a list of strings): JSON strings as they are, other JSON values as
//   compact JSON text (`201`, `true`, `{"a":"b"}`). JSON null is the text "null".
// - An absent JSON path leaves the field *unavailable* (undefined): every comparison on it is false and
//   outputs print `<NA>`. It never extracts the string "<NA>". A list that comes out empty is unavailable
//   too (libsinsp treats a zero-length plugin extraction as a failed one).
// - An event without `auditID` yields no ka.* field at all (the plugin discards it); jevt.* still work.
// - List fields (IsList in the plugin) have multiplicity 'list': `in` needs every value in the set,
//   `intersects` any; other operators are rejected at compile time, as libsinsp does.
// - An index argument (`ka.req.pod.containers.image[1]`) selects one element of every array on the
//   path, like the plugin's `getValuesRecursive`; the result is still a (one-element) list.
//
// Deliberate deviations, where the plugin's code contradicts its own field documentation:
// - `eff_run_as_user` / `eff_run_as_group` read `spec.securityContext` and each container's
//   `securityContext` (the plugin reads `spec.runAsUser`, a path that never exists, so it always says 0).
// - `ka.req.volume.hostpath[p]` checks every volume (the plugin applies index 0 to a key argument).
// - `ka.sourceips` reads `/sourceIPs` (plugin 0.x read it under `/requestObject/rules`).
// - `ka.req.service.ports` yields one JSON object per port, indexable (the plugin yields the whole
//   ports array as one JSON text, ignoring the index it advertises).

import { hostname as osHostname } from 'node:os';
import type { K8sAuditEvent } from '../event/types.js';
import { defineField, type FieldSpec } from './define.js';
import { FieldRegistry } from './registry.js';
import type { FieldDef, FieldType } from './types.js';
import { dateTimeText, timeIsoText, timeSecondsText, timeText, timestampJson } from './time.js';
import {
  ABSENT, child, compilePath, getPath, isObject, jsonText, parsePointer, renderJson, texts, textsSkipAbsent, textsStrict, valuesRecursive,
} from './json-path.js';

type Ev = K8sAuditEvent;
type Spec = FieldSpec<Ev>;
type Extract = (ev: Ev) => unknown;

export const K8S_AUDIT_SOURCE = 'k8s_audit';

// ------------------------------------------------------------------------------------------ helpers

/**
 * ka.* fields see nothing of a JSON document without `auditID` (not an audit event). Object.prototype
 * has no `auditID`, so a plain load is an own-property test here.
 */
const audit = (f: (doc: Record<string, unknown>) => unknown): Extract => (ev) =>
  (ev.doc['auditID'] !== undefined ? f(ev.doc) : undefined);

const nonEmpty = (xs: string[] | undefined): string[] | undefined => (xs === undefined || xs.length === 0 ? undefined : xs);

/** `extractFromKeys` for a single-valued field. */
const atKeys = (...keys: string[]): Extract => {
  const get = compilePath(keys);
  return audit((doc) => {
    const v = get(doc);
    return v === undefined ? undefined : typeof v === 'string' ? v : jsonText(v);
  });
};

/** `extractFromKeys` for a list field: the value must be an array; each element as text. */
const listAtKeys = (...keys: string[]): Extract => {
  const get = compilePath(keys);
  return audit((doc) => {
    const v = get(doc);
    return Array.isArray(v) ? nonEmpty(texts(v)) : undefined;
  });
};

function indexOf(arg: string | undefined): number | undefined {
  return arg === undefined ? undefined : Number(arg);
}

/** The repository part of an image reference, exactly as the plugin cuts it (before ':' then '@'). */
export function imageRepository(image: string): string {
  const colon = image.indexOf(':');
  const noTag = colon < 0 ? image : image.slice(0, colon);
  const at = noTag.indexOf('@');
  return at < 0 ? noTag : noTag.slice(0, at);
}

/** Go's url.QueryUnescape: '+' is a space, %XX a byte; any other '%' is an error (undefined). */
function queryUnescape(s: string): string | undefined {
  if (!s.includes('%') && !s.includes('+')) return s;
  const bytes: number[] = [];
  const enc = Buffer.from(s, 'utf8');
  for (let i = 0; i < enc.length; i++) {
    const c = enc[i] as number;
    if (c === 0x25) {
      const hex = enc.subarray(i + 1, i + 3).toString('latin1');
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(c === 0x2b ? 0x20 : c);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/**
 * `ka.uri.param[key]`: the first value of query parameter `key`, parsed like Go's url.Parse +
 * url.ParseQuery. Any malformed pair (bad escape, a ';' separator) or a control character in the URI
 * makes the whole field unavailable, as the plugin returns the parse error.
 */
export function uriParam(uri: string, key: string): string | undefined {
  for (let i = 0; i < uri.length; i++) {
    const c = uri.charCodeAt(i);
    if (c < 0x20 || c === 0x7f) return undefined;
  }
  const hash = uri.indexOf('#');
  const noFragment = hash < 0 ? uri : uri.slice(0, hash);
  const q = noFragment.indexOf('?');
  if (q < 0) return undefined;
  let found: string | undefined;
  for (const pair of noFragment.slice(q + 1).split('&')) {
    if (pair === '') continue;
    if (pair.includes(';')) return undefined;
    const eq = pair.indexOf('=');
    const k = queryUnescape(eq < 0 ? pair : pair.slice(0, eq));
    const v = queryUnescape(eq < 0 ? '' : pair.slice(eq + 1));
    if (k === undefined || v === undefined) return undefined;
    if (found === undefined && k === key) found = v;
  }
  return found;
}

/** Subjects of a (Cluster)RoleBinding request of one kind: their names, or `namespace:name`. */
function subjectNames(kind: string, withNamespace = false): Extract {
  return audit((doc) => {
    const subjects = getPath(doc, ['requestObject', 'subjects']);
    if (!Array.isArray(subjects)) return undefined;
    const out: string[] = [];
    for (const s of subjects) {
      if (!isObject(s) || s['kind'] !== kind || typeof s['name'] !== 'string') continue;
      if (!withNamespace) out.push(s['name']);
      else if (typeof s['namespace'] === 'string') out.push(`${s['namespace']}:${s['name']}`);
    }
    return nonEmpty(out);
  });
}

/** `ka.target.pod.name`: the pod a request is about (the created pod's name, or the exec'd pod's). */
const targetPodName: Extract = audit((doc) => {
  if (getPath(doc, ['objectRef', 'resource']) !== 'pods') return undefined;
  const sub = getPath(doc, ['objectRef', 'subresource']);
  const v = sub === undefined
    ? getPath(doc, ['responseObject', 'metadata', 'name']) ?? getPath(doc, ['objectRef', 'name'])
    : getPath(doc, ['objectRef', 'name']);
  return v === undefined ? undefined : jsonText(v);
});

// ------------------------------------------------------------------------------------------- fields

export interface K8sAuditFieldOptions {
  /** evt.hostname: defaults to $FALCO_HOSTNAME, then the machine's host name. */
  readonly hostname?: string;
}

const CONTAINER_KINDS = [
  { key: 'containers', what: 'containers' },
  { key: 'initContainers', what: 'init containers' },
  { key: 'ephemeralContainers', what: 'ephemeral containers' },
] as const;

export function k8sAuditFieldDefs(options: K8sAuditFieldOptions = {}): FieldDef[] {
  const host = options.hostname ?? process.env['FALCO_HOSTNAME'] ?? osHostname();
  const defs: FieldDef[] = [];
  const add = (name: string, spec: Spec): void => {
    defs.push(defineField<Ev>(K8S_AUDIT_SOURCE, name, spec));
  };
  const str = (name: string, desc: string, f: Extract, extra: Partial<Spec> = {}): void =>
    add(name, { type: 'string', desc, make: () => f, ...extra });
  const list = (name: string, desc: string, f: Extract): void =>
    add(name, { type: 'string', desc, multi: 'list', make: () => f });
  /** A list field with an optional index argument; `f` gets the index (undefined: all). */
  const indexedList = (name: string, desc: string, f: (index: number | undefined) => Extract): void =>
    add(name, { type: 'string', desc, arg: 'index', multi: 'list', make: (arg) => f(indexOf(arg)) });

  // ---- the audit event itself
  str('ka.auditid', 'The unique id of the audit event', atKeys('auditID'));
  str('ka.stage', 'Stage of the request (e.g. RequestReceived, ResponseComplete, etc.)', atKeys('stage'));
  str('ka.auth.decision', 'The authorization decision', atKeys('annotations', 'authorization.k8s.io/decision'));
  str('ka.auth.reason', 'The authorization reason', atKeys('annotations', 'authorization.k8s.io/reason'));
  str('ka.auth.openshift.decision', 'The authentication decision of the openshift apiserver extension. Only available on openshift clusters',
    atKeys('annotations', 'authentication.openshift.io/decision'));
  str('ka.auth.openshift.username', 'The user name performing the openshift authentication operation. Only available on openshift clusters',
    atKeys('annotations', 'authentication.openshift.io/username'));
  str('ka.validations.admission.policy.failure', 'The validation failure reason from a Validation Admission Policy',
    atKeys('annotations', 'validation.policy.admission.k8s.io/validation_failure'));
  str('ka.security.pod.violations', 'The violation reason for pod security policy',
    atKeys('annotations', 'pod-security.kubernetes.io/audit-violations'));
  str('ka.user.name', 'The user name performing the request', atKeys('user', 'username'));
  list('ka.user.groups', 'The groups to which the user belongs', listAtKeys('user', 'groups'));
  str('ka.impuser.name', 'The impersonated user name', atKeys('impersonatedUser', 'username'));
  str('ka.verb', 'The action being performed', atKeys('verb'));
  str('ka.uri', 'The request URI as sent from client to server', atKeys('requestURI'));
  add('ka.uri.param', {
    type: 'string', arg: 'key', argRequired: true,
    desc: 'The value of a given query parameter in the uri (e.g. when uri=/foo?key=val, ka.uri.param[key] is val).',
    make: (arg) => {
      const key = arg ?? '';
      return audit((doc) => {
        const uri = child(doc, 'requestURI');
        const text = uri === undefined ? undefined : jsonText(uri);
        return text === undefined ? undefined : uriParam(text, key);
      });
    },
  });
  str('ka.useragent', 'The useragent of the client who made the request to the apiserver', atKeys('userAgent'));
  indexedList('ka.sourceips', 'The IP addresses of the client who made the request to the apiserver',
    (i) => audit((doc) => { const vs = valuesRecursive(doc, i, ['sourceIPs', '']); return vs && nonEmpty(textsSkipAbsent(vs)); }));
  str('ka.cluster.name', 'The name of the k8s cluster', atKeys('annotations', 'cluster_name'));

  // ---- target object and response
  str('ka.target.name', 'The target object name', atKeys('objectRef', 'name'));
  str('ka.target.namespace', 'The target object namespace', atKeys('objectRef', 'namespace'));
  str('ka.target.resource', 'The target object resource', atKeys('objectRef', 'resource'));
  str('ka.target.subresource', 'The target object subresource', atKeys('objectRef', 'subresource'));
  str('ka.target.pod.name', 'The target pod name', targetPodName);
  str('ka.resp.name', 'The response object name', atKeys('responseObject', 'metadata', 'name'));
  str('ka.response.code', 'The response code', atKeys('responseStatus', 'code'));
  str('ka.response.reason', 'The response reason (usually present only for failures)', atKeys('responseStatus', 'reason'));

  // ---- RBAC requests
  list('ka.req.binding.subjects', 'When the request object refers to a cluster role binding, the subject (e.g. account/users) being linked by the binding',
    listAtKeys('requestObject', 'subjects'));
  list('ka.req.binding.subjects.user_names', 'When the request object refers to a cluster role binding, the subject user names being linked by the binding',
    subjectNames('User'));
  list('ka.req.binding.subjects.serviceaccount_names', 'When the request object refers to a cluster role binding, the subject service account names being linked by the binding',
    subjectNames('ServiceAccount'));
  list('ka.req.binding.subjects.serviceaccount_ns_names', 'When the request object refers to a cluster role binding, the subject serviceaccount namespaced names being linked by the binding, e.g. a list containing: mynamespace:myserviceaccount',
    subjectNames('ServiceAccount', true));
  list('ka.req.binding.subjects.group_names', 'When the request object refers to a cluster role binding, the subject group names being linked by the binding',
    subjectNames('Group'));
  str('ka.req.binding.role', 'When the request object refers to a cluster role binding, the role being linked by the binding',
    atKeys('requestObject', 'roleRef', 'name'));
  add('ka.req.binding.subject.has_name', {
    type: 'string', arg: 'key', argRequired: true, deprecated: true,
    desc: 'Deprecated, always returns "true" (as the plugin does). Only provided for backwards compatibility',
    make: () => audit(() => 'true'),
  });
  list('ka.req.role.rules', 'When the request object refers to a role/cluster role, the rules associated with the role',
    listAtKeys('requestObject', 'rules'));
  for (const [part, what] of [['apiGroups', 'api groups'], ['nonResourceURLs', 'non resource urls'], ['verbs', 'verbs'], ['resources', 'resources']] as const) {
    indexedList(`ka.req.role.rules.${part}`, `When the request object refers to a role/cluster role, the ${what} associated with the role's rules`,
      (i) => audit((doc) => {
        const vs = valuesRecursive(doc, i, ['requestObject', 'rules', part]);
        if (vs === undefined) return undefined;
        const out: string[] = [];
        for (const v of vs) if (Array.isArray(v)) out.push(...texts(v));
        return nonEmpty(out);
      }));
  }

  // ---- configmaps and services
  str('ka.req.configmap.name', 'If the request object refers to a configmap, the configmap name', atKeys('objectRef', 'name'));
  str('ka.req.configmap.obj', 'If the request object refers to a configmap, the entire configmap object', atKeys('requestObject', 'data'));
  str('ka.req.service.type', 'When the request object refers to a service, the service type', atKeys('requestObject', 'spec', 'type'));
  indexedList('ka.req.service.ports', "When the request object refers to a service, the service's ports (one JSON object per port)",
    (i) => audit((doc) => { const vs = valuesRecursive(doc, i, ['requestObject', 'spec', 'ports', '']); return vs && nonEmpty(textsSkipAbsent(vs)); }));

  // ---- pods
  const spec = ['requestObject', 'spec'];
  str('ka.req.pod.host_ipc', 'When the request object refers to a pod, the value of the hostIPC flag.', atKeys(...spec, 'hostIPC'));
  str('ka.req.pod.host_network', 'When the request object refers to a pod, the value of the hostNetwork flag.', atKeys(...spec, 'hostNetwork'));
  str('ka.req.pod.host_pid', 'When the request object refers to a pod, the value of the hostPID flag.', atKeys(...spec, 'hostPID'));
  str('ka.req.pod.run_as_user', 'When the request object refers to a pod, the runAsUser uid specified in the security context for the pod. See ....containers.run_as_user for the runAsUser for individual containers',
    atKeys(...spec, 'securityContext', 'runAsUser'));
  str('ka.req.pod.run_as_group', 'When the request object refers to a pod, the runAsGroup gid specified in the security context for the pod. See ....containers.run_as_group for the runAsGroup for individual containers',
    atKeys(...spec, 'securityContext', 'runAsGroup'));
  str('ka.req.pod.fs_group', 'When the request object refers to a pod, the fsGroup gid specified by the security context.',
    atKeys(...spec, 'securityContext', 'fsGroup'));
  list('ka.req.pod.supplemental_groups', 'When the request object refers to a pod, the supplementalGroup gids specified by the security context.',
    listAtKeys(...spec, 'securityContext', 'supplementalGroups'));

  for (const { key, what } of CONTAINER_KINDS) {
    const base = [...spec, key];
    const p = `ka.req.pod.${key}`;
    const skip = (...keys: string[]) => (i: number | undefined): Extract =>
      audit((doc) => { const vs = valuesRecursive(doc, i, [...base, ...keys]); return vs && nonEmpty(textsSkipAbsent(vs)); });
    const images = (i: number | undefined) => (doc: Record<string, unknown>): string[] | undefined => {
      const vs = valuesRecursive(doc, i, [...base, 'image']);
      return vs && textsStrict(vs);
    };
    const effective = (k: 'runAsUser' | 'runAsGroup') => (i: number | undefined): Extract => audit((doc) => {
      const pod = getPath(doc, [...spec, 'securityContext', k]);
      const dflt = pod === undefined ? '0' : jsonText(pod) ?? '0';
      const vs = valuesRecursive(doc, i, [...base, 'securityContext', k]);
      return vs && nonEmpty(vs.map((v) => (v === ABSENT ? dflt : jsonText(v) ?? dflt)));
    });
    indexedList(`${p}.name`, `When the request object refers to a pod, the ${what} names.`, skip('name'));
    indexedList(`${p}.image`, `When the request object refers to a pod, the ${what} images.`, (i) => audit((doc) => nonEmpty(images(i)(doc))));
    indexedList(`${p}.image.repository`, `The same as ${p}.image, but only the repository part (e.g. falcosecurity/falco).`,
      (i) => audit((doc) => nonEmpty(images(i)(doc)?.map(imageRepository))));
    indexedList(`${p}.command`, `When the request object refers to a pod, the ${what} commands (each as JSON text).`, skip('command'));
    indexedList(`${p}.args`, `When the request object refers to a pod, the ${what} args (each as JSON text).`, skip('args'));
    indexedList(`${p}.privileged`, `When the request object refers to a pod, the value of the privileged flag for all ${what}.`,
      skip('securityContext', 'privileged'));
    indexedList(`${p}.allow_privilege_escalation`, `When the request object refers to a pod, the value of the allowPrivilegeEscalation flag for all ${what}.`,
      skip('securityContext', 'allowPrivilegeEscalation'));
    indexedList(`${p}.read_only_fs`, `When the request object refers to a pod, the value of the readOnlyRootFilesystem flag for all ${what}.`,
      skip('securityContext', 'readOnlyRootFilesystem'));
    indexedList(`${p}.run_as_user`, `When the request object refers to a pod, the runAsUser uid for all ${what}.`, skip('securityContext', 'runAsUser'));
    indexedList(`${p}.eff_run_as_user`, `When the request object refers to a pod, the initial uid that will be used for all ${what}. This combines information from both the pod and container security contexts and uses 0 if no uid is specified.`,
      effective('runAsUser'));
    indexedList(`${p}.run_as_group`, `When the request object refers to a pod, the runAsGroup gid for all ${what}.`, skip('securityContext', 'runAsGroup'));
    indexedList(`${p}.eff_run_as_group`, `When the request object refers to a pod, the initial gid that will be used for all ${what}. This combines information from both the pod and container security contexts and uses 0 if no gid is specified.`,
      effective('runAsGroup'));
    indexedList(`${p}.proc_mount`, `When the request object refers to a pod, the procMount types for all ${what}.`, skip('securityContext', 'procMount'));
    indexedList(`${p}.add_capabilities`, `When the request object refers to a pod, the capabilities to add for all ${what} (each container's list as JSON text).`,
      skip('securityContext', 'capabilities', 'add'));
    indexedList(`${p}.host_port`, `When the request object refers to a pod, all ${what} hostPort values (containerPort where no hostPort is given).`,
      (i) => audit((doc) => {
        const perContainer = valuesRecursive(doc, i, [...base, 'ports']);
        if (perContainer === undefined) return undefined;
        const out: string[] = [];
        for (const ports of perContainer) {
          if (ports === ABSENT) continue;
          if (!Array.isArray(ports)) return undefined;
          for (const port of ports) {
            const v = child(port, 'hostPort') ?? child(port, 'containerPort');
            const t = v === undefined ? undefined : jsonText(v);
            if (t !== undefined) out.push(t);
          }
        }
        return nonEmpty(out);
      }));
  }

  const firstImage = (doc: Record<string, unknown>): string | undefined => {
    const vs = valuesRecursive(doc, 0, [...spec, 'containers', 'image']);
    const first = vs?.[0];
    return first === undefined || first === ABSENT ? undefined : jsonText(first);
  };
  str('ka.req.container.image', 'Deprecated by ka.req.pod.containers.image. Returns the image of the first container only',
    audit(firstImage), { deprecated: true });
  str('ka.req.container.image.repository', 'Deprecated by ka.req.pod.containers.image.repository. Returns the repository of the first container only',
    audit((doc) => { const img = firstImage(doc); return img === undefined ? undefined : imageRepository(img); }), { deprecated: true });
  str('ka.req.container.privileged', 'Deprecated by ka.req.pod.containers.privileged. Returns true if any container has privileged=true',
    audit((doc) => {
      const vs = valuesRecursive(doc, undefined, [...spec, 'containers', 'securityContext', 'privileged']);
      return vs === undefined ? undefined : vs.some((v) => v === true) ? 'true' : 'false';
    }), { deprecated: true });
  str('ka.req.container.host_network', 'Deprecated alias for ka.req.pod.host_network', atKeys(...spec, 'hostNetwork'), { deprecated: true });

  const hostPaths = (i: number | undefined) => (doc: Record<string, unknown>): string[] | undefined => {
    const vs = valuesRecursive(doc, i, [...spec, 'volumes', 'hostPath', 'path']);
    return vs && textsSkipAbsent(vs);
  };
  indexedList('ka.req.pod.volumes.hostpath', 'When the request object refers to a pod, all hostPath paths specified for all volumes',
    (i) => audit((doc) => nonEmpty(hostPaths(i)(doc))));
  add('ka.req.volume.hostpath', {
    type: 'string', arg: 'key', argRequired: true, deprecated: true,
    desc: 'Deprecated by ka.req.pod.volumes.hostpath. Return true if the provided (host) path prefix is used by any volume (a trailing * makes it a prefix match)',
    make: (arg) => {
      const want = arg ?? '';
      const prefix = want.endsWith('*') ? want.slice(0, -1) : undefined;
      return audit((doc) => {
        const paths = hostPaths(undefined)(doc);
        if (paths === undefined) return undefined;
        return paths.some((p) => (prefix !== undefined ? p.startsWith(prefix) : p === want)) ? 'true' : 'false';
      });
    },
  });
  indexedList('ka.req.pod.volumes.flexvolume_driver', 'When the request object refers to a pod, all flexvolume drivers specified for all volumes',
    (i) => audit((doc) => { const vs = valuesRecursive(doc, i, [...spec, 'volumes', 'flexVolume', 'driver']); return vs && nonEmpty(textsSkipAbsent(vs)); }));
  indexedList('ka.req.pod.volumes.volume_type', 'When the request object refers to a pod, all volume types for all volumes',
    (i) => audit((doc) => {
      const vs = valuesRecursive(doc, i, [...spec, 'volumes', '']);
      if (vs === undefined) return undefined;
      const out: string[] = [];
      for (const v of vs) if (isObject(v)) for (const k of Object.keys(v)) if (k !== 'name') out.push(k);
      return nonEmpty(out);
    }));

  // ---- json plugin: json.* and the legacy jevt.* aliases (no auditID requirement)
  for (const prefix of ['json', 'jevt'] as const) {
    const alias = prefix === 'jevt' ? ' (alias of the json plugin field, for backwards compatibility)' : '';
    add(`${prefix}.value`, {
      type: 'string', arg: 'key', argRequired: true,
      desc: `Extracts a value from the event's JSON. Syntax is ${prefix}.value[<json pointer>], where <json pointer> is a JSON pointer (RFC 6901); strings as they are, other values as JSON text${alias}.`,
      make: (arg) => {
        const keys = parsePointer(arg ?? '');
        if (keys === undefined) return `field '${prefix}.value' needs a JSON pointer argument, e.g. ${prefix}.value[/stage]`;
        const get = compilePath(keys);
        return (ev) => { const v = get(ev.doc); return v === undefined ? undefined : jsonText(v); };
      },
    });
    str(`${prefix}.obj`, `The full json message as a text string (indented)${alias}.`, (ev) => renderJson(ev.doc, 2));
    str(`${prefix}.rawtime`, `The time of the event, identical to evt.rawtime (decimal nanoseconds, as a string)${alias}.`,
      (ev) => (ev.ts === '' ? undefined : ev.ts));
  }
  str('jevt.time', 'The event timestamp as a time string that includes the nanosecond part (legacy k8s audit field).', (ev) => timeText(ev.ts));
  str('jevt.time.iso8601', 'The event timestamp in ISO 8601 format, including nanoseconds (legacy k8s audit field).', (ev) => timeIsoText(ev.ts));

  // ---- evt.*: what libsinsp provides for every plugin event
  const evt = (name: string, type: FieldType, desc: string, f: Extract, json?: Extract): void =>
    add(name, { type, desc, make: () => f, ...(json ? { json: () => json } : {}) });
  const ns = (ev: Ev): unknown => timestampJson(ev.ts);
  evt('evt.num', 'uint', 'event number.', (ev) => ev.num);
  evt('evt.time', 'string', 'event timestamp as a time string that includes the nanosecond part.', (ev) => timeText(ev.ts), ns);
  evt('evt.time.s', 'string', 'event timestamp as a time string with no nanoseconds.', (ev) => timeSecondsText(ev.ts), ns);
  evt('evt.time.iso8601', 'string', 'event timestamp in ISO 8601 format, including nanoseconds and time zone offset (in UTC).', (ev) => timeIsoText(ev.ts), ns);
  evt('evt.datetime', 'string', 'event timestamp as a time string that includes the date.', (ev) => dateTimeText(ev.ts), ns);
  evt('evt.datetime.s', 'string', 'event timestamp as a datetime string with no nanoseconds.', (ev) => dateTimeText(ev.ts, false), ns);
  evt('evt.rawtime', 'abstime', 'absolute event timestamp, i.e. nanoseconds from epoch.', ns);
  evt('evt.rawtime.s', 'abstime', 'integer part of the event timestamp (e.g. seconds since epoch).',
    (ev) => (ev.ts === '' ? undefined : Number(ev.ts.slice(0, -9) || '0')));
  evt('evt.rawtime.ns', 'abstime', 'fractional part of the absolute event timestamp.', (ev) => (ev.ts === '' ? undefined : Number(ev.ts.slice(-9))));
  evt('evt.source', 'string', 'the name of the source that produced the event.', () => K8S_AUDIT_SOURCE);
  evt('evt.pluginname', 'string', 'if the event comes from a plugin-defined event source, the name of the plugin that generated it.', () => 'k8saudit');
  evt('evt.plugininfo', 'string', 'if the event comes from a plugin-defined event source, a summary of the event as formatted by the plugin (the audit event JSON).',
    (ev) => renderJson(ev.doc));
  evt('evt.hostname', 'string', 'The hostname of the underlying host (can be customized via $FALCO_HOSTNAME).', () => host);
  evt('evt.is_async', 'bool', "'true' for asynchronous events (always false for audit events).", () => false);
  return defs;
}

export function k8sAuditFields(options: K8sAuditFieldOptions = {}): FieldRegistry {
  return new FieldRegistry(K8S_AUDIT_SOURCE, k8sAuditFieldDefs(options));
}

