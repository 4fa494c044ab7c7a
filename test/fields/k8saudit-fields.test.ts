// k8s_audit fields – values, missing-vs-<NA>, list semantics, index and key arguments, JSON pointers
// and output typing, each checked on hand-made audit events against the k8saudit/json plugins' rules.
import { describe, expect, it } from 'vitest';
import { compileCondition, compileOperand } from '../../src/condition/compile.js';
import { parseCondition } from '../../src/condition/parse.js';
import { newK8sAuditEvent, type K8sAuditEvent } from '../../src/event/types.js';
import { imageRepository, k8sAuditFields, uriParam } from '../../src/fields/k8saudit.js';
import { registryFor } from '../../src/cli/registries.js';

const reg = k8sAuditFields({ hostname: 'test-host' });
const TS = '1540476552581541000'; // 2018-10-25T14:09:12.581541Z

function ev(doc: Record<string, unknown>): K8sAuditEvent {
  return newK8sAuditEvent(doc, TS, 7);
}

/** The value the compiler sees for `field` (normalised; arrays for list fields). */
function value(field: string, doc: Record<string, unknown>): unknown {
  const m = /^([^[]+)(?:\[(.*)\])?$/.exec(field);
  const op = compileOperand({ kind: 'field', name: m?.[1] as string, ...(m?.[2] !== undefined ? { arg: m[2] } : {}), loc: { offset: 0, line: 1, column: 1 } }, reg);
  return op.get(ev(doc) as never);
}

function holds(condition: string, doc: Record<string, unknown>): boolean {
  return compileCondition(parseCondition(condition), reg).test(ev(doc) as never);
}

const pod = {
  auditID: 'a1',
  kind: 'Event',
  stage: 'ResponseComplete',
  verb: 'create',
  requestURI: '/api/v1/namespaces/default/pods?dryRun=All&fieldManager=kubectl+client&x=%2Fetc',
  user: { username: 'alice', groups: ['devs', 'system:authenticated'] },
  sourceIPs: ['10.0.0.1', '::1'],
  objectRef: { resource: 'pods', namespace: 'default', apiVersion: 'v1' },
  responseStatus: { metadata: {}, code: 201 },
  annotations: { 'authorization.k8s.io/decision': 'allow', 'authorization.k8s.io/reason': '' },
  requestObject: {
    kind: 'Pod',
    spec: {
      hostNetwork: true,
      securityContext: { runAsUser: 1000 },
      containers: [
        { name: 'web', image: 'nginx:1.25', securityContext: { privileged: false, capabilities: { add: ['NET_ADMIN', 'SYS_TIME'] } },
          ports: [{ containerPort: 80 }, { containerPort: 443, hostPort: 8443 }], command: ['nginx', '-g', 'daemon off;'] },
        { name: 'side', image: 'registry.example.com:5000/tools/side@sha256:abc', securityContext: { runAsUser: 0, privileged: true } },
        { name: 'plain', image: 'busybox' },
      ],
      initContainers: [{ name: 'init', image: 'alpine:3', securityContext: { privileged: true } }],
      volumes: [
        { name: 'tok', secret: { secretName: 'x' } },
        { name: 'root', hostPath: { path: '/etc', type: 'Directory' } },
        { name: 'flex', flexVolume: { driver: 'example/lvm' } },
      ],
    },
  },
  responseObject: { metadata: { name: 'web-1', namespace: 'default' } },
  requestReceivedTimestamp: '2018-10-25T14:09:12.572676Z',
  stageTimestamp: '2018-10-25T14:09:12.581541Z',
};

describe('k8s_audit registry', () => {
  it('is registered for the k8s_audit source and has every field the upstream rules use', () => {
    const r = registryFor('k8s_audit');
    expect(r).toBeDefined();
    for (const f of ['ka.target.resource', 'ka.user.name', 'ka.target.name', 'ka.target.namespace', 'ka.response.code', 'ka.auth.reason',
      'ka.auth.decision', 'ka.verb', 'ka.uri', 'ka.req.pod.containers.image.repository', 'ka.target.subresource', 'ka.resp.name',
      'ka.req.pod.containers.image', 'ka.req.configmap.obj', 'ka.req.role.rules', 'ka.req.binding.subjects', 'ka.req.binding.role',
      'jevt.rawtime', 'ka.req.role.rules.verbs', 'ka.req.role.rules.resources', 'jevt.value', 'ka.uri.param', 'ka.response.reason',
      'ka.req.service.type', 'ka.req.service.ports', 'ka.req.pod.volumes.hostpath', 'ka.req.pod.initContainers.privileged',
      'ka.req.pod.initContainers.image', 'ka.req.pod.host_pid', 'ka.req.pod.host_network', 'ka.req.pod.host_ipc',
      'ka.req.pod.ephemeralContainers.privileged', 'ka.req.pod.ephemeralContainers.image', 'ka.req.pod.containers.privileged',
      'ka.req.configmap.name', 'jevt.obj']) {
      expect(r?.get(f), f).toBeDefined();
    }
  });

  it('has the whole k8saudit plugin field list', () => {
    const names = new Set(reg.all().map((d) => d.name));
    for (const f of ['ka.auditid', 'ka.stage', 'ka.auth.openshift.decision', 'ka.auth.openshift.username', 'ka.validations.admission.policy.failure',
      'ka.security.pod.violations', 'ka.user.groups', 'ka.impuser.name', 'ka.target.pod.name', 'ka.req.binding.subjects.user_names',
      'ka.req.binding.subjects.serviceaccount_names', 'ka.req.binding.subjects.serviceaccount_ns_names', 'ka.req.binding.subjects.group_names',
      'ka.req.binding.subject.has_name', 'ka.req.container.image', 'ka.req.container.image.repository', 'ka.req.container.host_network',
      'ka.req.container.privileged', 'ka.req.pod.run_as_user', 'ka.req.pod.run_as_group', 'ka.req.pod.fs_group', 'ka.req.pod.supplemental_groups',
      'ka.req.role.rules.apiGroups', 'ka.req.role.rules.nonResourceURLs', 'ka.req.volume.hostpath', 'ka.req.pod.volumes.flexvolume_driver',
      'ka.req.pod.volumes.volume_type', 'ka.useragent', 'ka.sourceips', 'ka.cluster.name', 'json.value', 'json.obj', 'json.rawtime',
      'jevt.time', 'evt.time', 'evt.rawtime', 'evt.num']) {
      expect(names.has(f), f).toBe(true);
    }
    for (const kind of ['containers', 'initContainers', 'ephemeralContainers']) {
      for (const part of ['name', 'image', 'image.repository', 'command', 'args', 'privileged', 'allow_privilege_escalation', 'read_only_fs',
        'run_as_user', 'eff_run_as_user', 'run_as_group', 'eff_run_as_group', 'proc_mount', 'add_capabilities', 'host_port']) {
        const name = `ka.req.pod.${kind}.${part}`;
        expect(names.has(name), name).toBe(true);
        const def = reg.get(name);
        expect(def?.argKind).toBe('index');
        expect(def?.multiplicity(undefined)).toBe('list');
        expect(def?.multiplicity('0')).toBe('list');
      }
    }
    // Every ka.* field is a string, as in the plugin; the list ones are lists.
    for (const d of reg.all().filter((x) => x.name.startsWith('ka.'))) expect(d.type, d.name).toBe('string');
    for (const f of ['ka.user.groups', 'ka.req.binding.subjects', 'ka.req.role.rules', 'ka.sourceips', 'ka.req.pod.volumes.hostpath', 'ka.req.service.ports']) {
      expect(reg.get(f)?.multiplicity(undefined), f).toBe('list');
    }
  });
});

describe('k8s_audit field values', () => {
  it('renders strings as they are and other JSON values as JSON text', () => {
    expect(value('ka.user.name', pod)).toBe('alice');
    expect(value('ka.response.code', pod)).toBe('201');
    expect(value('ka.req.pod.host_network', pod)).toBe('true');
    expect(value('ka.auth.reason', pod)).toBe('');
    expect(value('ka.req.pod.run_as_user', pod)).toBe('1000');
    expect(value('ka.resp.name', pod)).toBe('web-1');
    expect(value('ka.target.pod.name', pod)).toBe('web-1');
    expect(value('ka.auditid', pod)).toBe('a1');
    expect(value('ka.stage', pod)).toBe('ResponseComplete');
  });

  it('leaves absent paths unavailable: never the string "<NA>", and every comparison false', () => {
    expect(value('ka.target.subresource', pod)).toBeUndefined();
    expect(value('ka.impuser.name', pod)).toBeUndefined();
    expect(holds('ka.target.subresource exists', pod)).toBe(false);
    expect(holds('ka.target.subresource = "<NA>"', pod)).toBe(false);
    expect(holds('ka.target.subresource != exec', pod)).toBe(false);
    expect(holds('not ka.target.subresource exists', pod)).toBe(true);
    expect(holds('ka.impuser.name in (bob)', pod)).toBe(false);
  });

  it('yields no ka.* field for JSON without auditID (as the plugin), while jevt.* still work', () => {
    const noId: Record<string, unknown> = { ...pod };
    delete noId['auditID'];
    expect(value('ka.user.name', noId)).toBeUndefined();
    expect(value('ka.verb', noId)).toBeUndefined();
    expect(value('jevt.value[/verb]', noId)).toBe('create');
  });

  it('ka.response.code supports the upstream `startswith 2` check', () => {
    expect(holds('ka.response.code startswith 2', pod)).toBe(true);
    expect(holds('ka.response.code startswith 2', { ...pod, responseStatus: { code: 403 } })).toBe(false);
  });

  it('JSON null is the text "null", distinct from absent', () => {
    const doc = { ...pod, objectRef: { resource: 'pods', name: null } };
    expect(value('ka.target.name', doc)).toBe('null');
    expect(holds('ka.target.name exists', doc)).toBe(true);
  });

  it('containers.* lists follow each container kind separately', () => {
    expect(value('ka.req.pod.containers.image', pod)).toEqual(['nginx:1.25', 'registry.example.com:5000/tools/side@sha256:abc', 'busybox']);
    expect(value('ka.req.pod.initContainers.image', pod)).toEqual(['alpine:3']);
    expect(value('ka.req.pod.ephemeralContainers.image', pod)).toBeUndefined();
    expect(value('ka.req.pod.containers.name', pod)).toEqual(['web', 'side', 'plain']);
    // Containers without the flag are skipped, as the plugin's arrayAsStringsSkipNil does.
    expect(value('ka.req.pod.containers.privileged', pod)).toEqual(['false', 'true']);
    expect(value('ka.req.pod.initContainers.privileged', pod)).toEqual(['true']);
    expect(value('ka.req.pod.containers.run_as_user', pod)).toEqual(['0']);
  });

  it('image.repository cuts at the first ":" then "@", exactly like the plugin', () => {
    expect(value('ka.req.pod.containers.image.repository', pod)).toEqual(['nginx', 'registry.example.com', 'busybox']);
    expect(imageRepository('docker.io/falcosecurity/falco:0.38')).toBe('docker.io/falcosecurity/falco');
    expect(imageRepository('quay.io/x/y@sha256:1')).toBe('quay.io/x/y');
    expect(imageRepository('plain')).toBe('plain');
  });

  it('containers.image is unavailable when any container lacks an image (plugin arrayAsStrings)', () => {
    const doc = { ...pod, requestObject: { spec: { containers: [{ image: 'a' }, { name: 'no-image' }] } } };
    expect(value('ka.req.pod.containers.image', doc)).toBeUndefined();
    expect(value('ka.req.pod.containers.image[0]', doc)).toEqual(['a']);
  });

  it('an index argument selects one container and still yields a list; out of range is unavailable', () => {
    expect(value('ka.req.pod.containers.image[1]', pod)).toEqual(['registry.example.com:5000/tools/side@sha256:abc']);
    expect(value('ka.req.pod.containers.image.repository[0]', pod)).toEqual(['nginx']);
    expect(value('ka.req.pod.containers.privileged[1]', pod)).toEqual(['true']);
    expect(value('ka.req.pod.containers.privileged[2]', pod)).toBeUndefined();
    expect(value('ka.req.pod.containers.image[9]', pod)).toBeUndefined();
    expect(holds('ka.req.pod.containers.image[0] in (nginx:1.25)', pod)).toBe(true);
    expect(holds('ka.req.pod.containers.image[1] in (nginx:1.25)', pod)).toBe(false);
  });

  it('eff_run_as_user merges the pod and container security contexts, defaulting to 0', () => {
    expect(value('ka.req.pod.containers.eff_run_as_user', pod)).toEqual(['1000', '0', '1000']);
    const noPod = { ...pod, requestObject: { spec: { containers: [{ image: 'a' }, { image: 'b', securityContext: { runAsGroup: 5 } }] } } };
    expect(value('ka.req.pod.containers.eff_run_as_user', noPod)).toEqual(['0', '0']);
    expect(value('ka.req.pod.containers.eff_run_as_group', noPod)).toEqual(['0', '5']);
  });

  it('add_capabilities, command and args give each container\'s list as JSON text (as the plugin)', () => {
    expect(value('ka.req.pod.containers.add_capabilities', pod)).toEqual(['["NET_ADMIN","SYS_TIME"]']);
    expect(value('ka.req.pod.containers.command', pod)).toEqual(['["nginx","-g","daemon off;"]']);
    expect(value('ka.req.pod.containers.args', pod)).toBeUndefined();
  });

  it('host_port takes hostPort, else containerPort', () => {
    expect(value('ka.req.pod.containers.host_port', pod)).toEqual(['80', '8443']);
  });

  it('volumes: hostpath list, flexvolume drivers, volume types, and the deprecated prefix check', () => {
    expect(value('ka.req.pod.volumes.hostpath', pod)).toEqual(['/etc']);
    expect(value('ka.req.pod.volumes.flexvolume_driver', pod)).toEqual(['example/lvm']);
    expect(value('ka.req.pod.volumes.volume_type', pod)).toEqual(['secret', 'hostPath', 'flexVolume']);
    expect(value('ka.req.volume.hostpath[/etc]', pod)).toBe('true');
    expect(value('ka.req.volume.hostpath[/et*]', pod)).toBe('true');
    expect(value('ka.req.volume.hostpath[/et]', pod)).toBe('false');
    expect(value('ka.req.volume.hostpath[/etc]', { ...pod, requestObject: { spec: {} } })).toBeUndefined();
  });

  it('deprecated single-container fields', () => {
    expect(value('ka.req.container.image', pod)).toBe('nginx:1.25');
    expect(value('ka.req.container.image.repository', pod)).toBe('nginx');
    expect(value('ka.req.container.privileged', pod)).toBe('true');
    expect(value('ka.req.container.host_network', pod)).toBe('true');
    expect(reg.get('ka.req.container.image')?.deprecated).toBe(true);
  });

  it('ka.uri.param parses the query like Go url.ParseQuery', () => {
    expect(value('ka.uri.param[dryRun]', pod)).toBe('All');
    expect(value('ka.uri.param[fieldManager]', pod)).toBe('kubectl client');
    expect(value('ka.uri.param[x]', pod)).toBe('/etc');
    expect(value('ka.uri.param[missing]', pod)).toBeUndefined();
    expect(uriParam('/exec?command=sh&command=-c&container=nginx', 'command')).toBe('sh');
    expect(uriParam('/x?a=1#b=2', 'b')).toBeUndefined();
    expect(uriParam('/x?a=%zz&b=2', 'b')).toBeUndefined(); // a bad escape anywhere fails the whole parse
    expect(uriParam('/x?a=1;b=2', 'a')).toBeUndefined(); // ';' separators are rejected since Go 1.17
    expect(uriParam('/x?flag', 'flag')).toBe('');
    expect(uriParam('/no-query', 'a')).toBeUndefined();
  });

  it('user groups and source IPs are lists; sourceips takes an index', () => {
    expect(value('ka.user.groups', pod)).toEqual(['devs', 'system:authenticated']);
    expect(value('ka.sourceips', pod)).toEqual(['10.0.0.1', '::1']);
    expect(value('ka.sourceips[1]', pod)).toEqual(['::1']);
    expect(holds('ka.user.groups intersects (devs)', pod)).toBe(true);
    expect(holds('ka.user.groups in (devs)', pod)).toBe(false);
    expect(holds('ka.user.groups in (devs, system:authenticated, admins)', pod)).toBe(true);
  });

  it('role rules: one JSON object per rule, and flattened verbs/resources per rule index', () => {
    const role = {
      ...pod,
      objectRef: { resource: 'clusterroles', name: 'r' },
      requestObject: { rules: [
        { apiGroups: [''], resources: ['pods', 'pods/exec'], verbs: ['get', 'create'] },
        { nonResourceURLs: ['/healthz'], verbs: ['*'] },
      ] },
    };
    expect(value('ka.req.role.rules', role)).toEqual([
      '{"apiGroups":[""],"resources":["pods","pods/exec"],"verbs":["get","create"]}', '{"nonResourceURLs":["/healthz"],"verbs":["*"]}',
    ]);
    expect(value('ka.req.role.rules.verbs', role)).toEqual(['get', 'create', '*']);
    expect(value('ka.req.role.rules.verbs[1]', role)).toEqual(['*']);
    expect(value('ka.req.role.rules.resources', role)).toEqual(['pods', 'pods/exec']);
    expect(value('ka.req.role.rules.apiGroups', role)).toEqual(['']);
    expect(value('ka.req.role.rules.nonResourceURLs', role)).toEqual(['/healthz']);
    expect(holds('ka.req.role.rules.verbs intersects ("*")', role)).toBe(true);
    expect(holds('ka.req.role.rules.verbs[0] intersects ("*")', role)).toBe(false);
  });

  it('binding subjects and the per-kind name lists', () => {
    const binding = {
      ...pod,
      requestObject: {
        roleRef: { kind: 'ClusterRole', name: 'cluster-admin' },
        subjects: [
          { kind: 'User', name: 'bob' },
          { kind: 'ServiceAccount', name: 'builder', namespace: 'ci' },
          { kind: 'Group', name: 'ops' },
        ],
      },
    };
    expect(value('ka.req.binding.role', binding)).toBe('cluster-admin');
    expect(value('ka.req.binding.subjects', binding)).toEqual([
      '{"kind":"User","name":"bob"}', '{"kind":"ServiceAccount","name":"builder","namespace":"ci"}', '{"kind":"Group","name":"ops"}',
    ]);
    expect(value('ka.req.binding.subjects.user_names', binding)).toEqual(['bob']);
    expect(value('ka.req.binding.subjects.serviceaccount_names', binding)).toEqual(['builder']);
    expect(value('ka.req.binding.subjects.serviceaccount_ns_names', binding)).toEqual(['ci:builder']);
    expect(value('ka.req.binding.subjects.group_names', binding)).toEqual(['ops']);
    expect(value('ka.req.binding.subject.has_name[bob]', binding)).toBe('true');
  });

  it('services: type and one JSON object per port', () => {
    const svc = { ...pod, requestObject: { spec: { type: 'NodePort', ports: [{ port: 80, nodePort: 30080 }, { port: 443 }] } } };
    expect(value('ka.req.service.type', svc)).toBe('NodePort');
    expect(value('ka.req.service.ports', svc)).toEqual(['{"port":80,"nodePort":30080}', '{"port":443}']);
    expect(value('ka.req.service.ports[1]', svc)).toEqual(['{"port":443}']);
  });

  it('configmap object as JSON text for the credential checks', () => {
    const cm = { ...pod, objectRef: { resource: 'configmaps', name: 'c' }, requestObject: { data: { 'a.properties': 'password = x\n' } } };
    expect(value('ka.req.configmap.obj', cm)).toBe('{"a.properties":"password = x\\n"}');
    expect(value('ka.req.configmap.name', cm)).toBe('c');
    expect(holds('ka.req.configmap.obj contains "password"', cm)).toBe(true);
  });

  it('annotations-based fields', () => {
    const doc = {
      ...pod,
      annotations: {
        'authorization.k8s.io/decision': 'forbid', 'authorization.k8s.io/reason': 'nope',
        'pod-security.kubernetes.io/audit-violations': 'privileged (container "x")',
        'validation.policy.admission.k8s.io/validation_failure': '[{"message":"m"}]', cluster_name: 'prod-1',
      },
    };
    expect(value('ka.auth.decision', doc)).toBe('forbid');
    expect(value('ka.auth.reason', doc)).toBe('nope');
    expect(value('ka.security.pod.violations', doc)).toBe('privileged (container "x")');
    expect(value('ka.validations.admission.policy.failure', doc)).toBe('[{"message":"m"}]');
    expect(value('ka.cluster.name', doc)).toBe('prod-1');
  });

  it('ka.target.pod.name for exec/attach is the pod named in objectRef', () => {
    const exec = { ...pod, objectRef: { resource: 'pods', subresource: 'exec', name: 'web-1' }, responseObject: undefined };
    expect(value('ka.target.pod.name', exec)).toBe('web-1');
    expect(value('ka.target.pod.name', { ...pod, objectRef: { resource: 'services', name: 's' } })).toBeUndefined();
  });
});

describe('hostile structure', () => {
  it('a value nested too deeply to render is unavailable, never an exception', () => {
    const deep = JSON.parse(`${'['.repeat(20000)}${']'.repeat(20000)}`) as unknown;
    const doc = { ...pod, objectRef: { resource: 'configmaps', name: 'c' }, requestObject: { data: deep, rules: [deep, { verbs: ['get'] }] } };
    expect(value('ka.req.configmap.obj', doc)).toBeUndefined();
    expect(holds('ka.req.configmap.obj contains password', doc)).toBe(false);
    expect(value('jevt.obj', doc)).toBeUndefined();
    expect(value('jevt.value[/requestObject/data]', doc)).toBeUndefined();
    expect(value('ka.req.role.rules', doc)).toEqual(['{"verbs":["get"]}']);
    expect(value('ka.user.name', doc)).toBe('alice');
  });

  it('arrays nested deeply where a list field fans out do not exhaust the stack', () => {
    const deep = JSON.parse(`${'['.repeat(20000)}{"image":"x"}${']'.repeat(20000)}`) as unknown;
    const doc = { ...pod, requestObject: { spec: { containers: deep, volumes: deep } } };
    expect(value('ka.req.pod.containers.image', doc)).toBeUndefined();
    expect(value('ka.req.pod.volumes.hostpath', doc)).toBeUndefined();
    expect(value('ka.req.container.privileged', doc)).toBe('false');
    const shallow = { ...pod, requestObject: { spec: { containers: [[{ image: 'x' }], [{ image: 'y' }]] } } };
    expect(value('ka.req.pod.containers.image', shallow)).toEqual(['x', 'y']);
  });
});

describe('jevt/json fields', () => {
  it('jevt.value follows RFC 6901 pointers, with array indexes and ~0/~1 escapes', () => {
    expect(value('jevt.value[/stage]', pod)).toBe('ResponseComplete');
    expect(value('jevt.value[/requestObject/spec/containers/1/name]', pod)).toBe('side');
    expect(value('jevt.value[/annotations/authorization.k8s.io~1decision]', pod)).toBe('allow');
    expect(value('jevt.value[/a~0b]', { ...pod, 'a~b': 'tilde' })).toBe('tilde');
    expect(value('jevt.value[/requestObject/spec/volumes/1]', pod)).toBe('{"name":"root","hostPath":{"path":"/etc","type":"Directory"}}');
    expect(value('jevt.value[/responseStatus/code]', pod)).toBe('201');
    expect(value('jevt.value[/requestObject/spec/tls]', pod)).toBeUndefined();
    expect(value('jevt.value[/requestObject/spec/containers/7]', pod)).toBeUndefined();
    expect(value('json.value[/verb]', pod)).toBe('create');
  });

  it('never reads inherited properties from event data', () => {
    expect(value('jevt.value[/constructor]', pod)).toBeUndefined();
    expect(value('jevt.value[/__proto__]', pod)).toBeUndefined();
    expect(value('jevt.value[/user/toString]', pod)).toBeUndefined();
    expect(value('ka.uri.param[constructor]', pod)).toBeUndefined();
    expect(value('jevt.value[/requestObject/spec/containers/length]', pod)).toBeUndefined();
  });

  it('an empty pointer is a compile error', () => {
    expect(() => compileCondition(parseCondition('jevt.value[""] exists'), reg)).toThrow(/JSON pointer/);
  });

  it('jevt.rawtime is the event time in ns as a string; the upstream always-true/never macros work', () => {
    expect(value('jevt.rawtime', pod)).toBe(TS);
    expect(holds('(jevt.rawtime exists)', pod)).toBe(true);
    expect(holds('(jevt.rawtime=0)', pod)).toBe(false);
  });

  it('jevt.obj is the whole event, indented like Go json.Indent', () => {
    const text = value('jevt.obj', { auditID: 'x', a: [], b: {}, c: [1] }) as string;
    expect(text).toBe('{\n  "auditID": "x",\n  "a": [],\n  "b": {},\n  "c": [\n    1\n  ]\n}');
  });
});

describe('evt.* fields and output typing', () => {
  it('time fields render as text in conditions and as integer nanoseconds in JSON', () => {
    const def = reg.get('evt.time');
    const json = def?.jsonExtractor?.(undefined) as (e: K8sAuditEvent) => unknown;
    expect(json(ev(pod))).toBe(BigInt(TS));
    expect(value('evt.time.iso8601', pod)).toBe('2018-10-25T14:09:12.581541000+0000');
    expect(value('evt.rawtime', pod)).toBe(Number(TS));
    expect(value('evt.num', pod)).toBe(7);
    expect(value('evt.source', pod)).toBe('k8s_audit');
    expect(value('evt.hostname', pod)).toBe('test-host');
  });

  it('ka.* fields have no JSON override: alerts carry them as strings (lists as arrays of strings)', () => {
    expect(reg.get('ka.response.code')?.jsonExtractor).toBeUndefined();
    const raw = reg.get('ka.response.code')?.extractor(undefined) as (e: K8sAuditEvent) => unknown;
    expect(raw(ev(pod))).toBe('201');
    const list = reg.get('ka.user.groups')?.extractor(undefined) as (e: K8sAuditEvent) => unknown;
    expect(list(ev(pod))).toEqual(['devs', 'system:authenticated']);
  });
});
