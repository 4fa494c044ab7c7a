// Deployment manifests – deploy/*.yaml parsed with `yaml` and checked for the container-security
// practice Peregrine detects: least capabilities, read-only root, no service-account token, probes,
// resources, every node tolerated, only the host paths the sensor needs and those read-only.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { ROOT } from '../helpers/shared.js';

// Manifests are free-form documents; the assertions below check their shape.
type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const DEPLOY = join(ROOT, 'deploy');
const files = readdirSync(DEPLOY).filter((f) => f.endsWith('.yaml')).sort();
const docs: (Obj & { file: string })[] = [];
for (const f of files) {
  for (const d of parseAllDocuments(readFileSync(join(DEPLOY, f), 'utf8'))) {
    expect(d.errors, f).toEqual([]);
    const v = d.toJS() as Obj | null;
    if (v !== null) docs.push({ ...v, file: f });
  }
}
const ofKind = (kind: string): (Obj & { file: string })[] => docs.filter((d) => d.kind === kind);
const one = (kind: string): Obj => {
  const found = ofKind(kind);
  expect(found, kind).toHaveLength(1);
  return found[0]!;
};

const ds = one('DaemonSet');
const pod = ds.spec.template.spec as Obj;
const containers = pod.containers as Obj[];
const sensor = containers[0]!;

describe('deploy – objects', () => {
  it('holds a namespace, a service account, config and rules, the NATS secret and the DaemonSet, all in one namespace', () => {
    const ns = one('Namespace').metadata.name as string;
    expect(ns).toBe('peregrine');
    for (const d of docs.filter((x) => x.kind !== 'Namespace' && x.kind !== 'Kustomization')) {
      expect(d.metadata.namespace, `${d.kind} ${d.metadata.name}`).toBe(ns);
    }
    expect(ofKind('ConfigMap').map((c) => c.metadata.name).sort()).toEqual(['peregrine', 'peregrine-rules']);
    expect(one('Secret').metadata.name).toBe('peregrine-nats');
  });

  it('lists every manifest in the kustomization', () => {
    const k = parse(readFileSync(join(DEPLOY, 'kustomization.yaml'), 'utf8')) as Obj;
    expect([...k.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml'));
  });

  it('labels the namespace for the Pod Security level the sensor needs', () => {
    expect(one('Namespace').metadata.labels['pod-security.kubernetes.io/enforce']).toBe('privileged');
  });
});

describe('deploy – service account and secrets', () => {
  it('mounts no service-account token, and binds no role', () => {
    const sa = one('ServiceAccount');
    expect(sa.automountServiceAccountToken).toBe(false);
    expect(pod.serviceAccountName).toBe(sa.metadata.name);
    expect(pod.automountServiceAccountToken).toBe(false);
    expect(ofKind('RoleBinding')).toEqual([]);
    expect(ofKind('ClusterRoleBinding')).toEqual([]);
  });

  it('keeps the NATS credentials in a Secret mounted read-only, readable by its owner only', () => {
    const secret = one('Secret');
    expect(secret.type).toBe('Opaque');
    expect(Object.keys(secret.stringData ?? secret.data)).toEqual(['nats.creds']);
    const vol = (pod.volumes as Obj[]).find((v) => v.secret?.secretName === secret.metadata.name)!;
    expect(vol.secret.defaultMode).toBe(0o400);
    const mount = (sensor.volumeMounts as Obj[]).find((m) => m.name === vol.name)!;
    expect(mount.readOnly).toBe(true);
    // the credentials are not in the environment
    expect(JSON.stringify(sensor.env ?? [])).not.toContain('secretKeyRef');
  });

  it('ships a config that parses and points at the mounted rules and credentials, and a rules placeholder', () => {
    const cm = ofKind('ConfigMap').find((c) => c.metadata.name === 'peregrine')!;
    const config = parse(cm.data['config.yaml'] as string) as Obj;
    expect(config.source).toBe('ebpf');
    expect(config.metrics.listen).toBe('0.0.0.0:8765');
    const rulesMount = (sensor.volumeMounts as Obj[]).find((m) => m.name === 'rules')!.mountPath as string;
    for (const r of config.rules as string[]) expect(r.startsWith(`${rulesMount}/`)).toBe(true);
    const natsMount = (sensor.volumeMounts as Obj[]).find((m) => m.name === 'nats-credentials')!.mountPath as string;
    expect(config.outputs.nats.credentials).toBe(`${natsMount}/nats.creds`);
    const configMount = (sensor.volumeMounts as Obj[]).find((m) => m.name === 'config')!.mountPath as string;
    expect(sensor.args).toContain(`${configMount}/config.yaml`);
    const rules = ofKind('ConfigMap').find((c) => c.metadata.name === 'peregrine-rules')!;
    expect(Object.keys(rules.data)).toEqual(['falco_rules.yaml']);
    expect(parse(rules.data['falco_rules.yaml'] as string)).toEqual([]);
  });
});

describe('deploy – the DaemonSet', () => {
  it('runs in the host pid namespace only (not the host network or IPC)', () => {
    expect(pod.hostPID).toBe(true);
    expect(pod.hostNetwork).not.toBe(true);
    expect(pod.hostIPC).not.toBe(true);
  });

  it('tolerates every taint so every node is watched', () => {
    expect(pod.tolerations).toContainEqual({ operator: 'Exists' });
    const t = (pod.tolerations as Obj[]).find((x) => x.operator === 'Exists')!;
    expect(t.key).toBeUndefined();
    expect(t.effect).toBeUndefined();
  });

  it('selects its own pods', () => {
    expect(ds.spec.template.metadata.labels).toMatchObject(ds.spec.selector.matchLabels);
  });

  it('drops every capability and adds only what eBPF needs; never privileged', () => {
    expect(containers).toHaveLength(1);
    const sc = sensor.securityContext as Obj;
    expect(sc.privileged).toBe(false);
    expect(sc.capabilities.drop).toEqual(['ALL']);
    expect([...sc.capabilities.add].sort()).toEqual(['BPF', 'PERFMON', 'SYS_ADMIN', 'SYS_RESOURCE']);
    // Kubernetes rejects allowPrivilegeEscalation: false together with CAP_SYS_ADMIN
    expect(sc.allowPrivilegeEscalation).toBe(true);
    // bpftrace 0.17 runs only as root
    expect(sc.runAsUser).toBe(0);
    expect(sc.runAsNonRoot).toBe(false);
    expect(sc.procMount ?? 'Default').toBe('Default');
  });

  it('has a read-only root file system, with the spool and /tmp as size-limited emptyDirs', () => {
    expect(sensor.securityContext.readOnlyRootFilesystem).toBe(true);
    const vols = new Map((pod.volumes as Obj[]).map((v) => [v.name as string, v]));
    const mounts = new Map((sensor.volumeMounts as Obj[]).map((m) => [m.mountPath as string, m]));
    for (const path of ['/var/lib/peregrine/spool', '/tmp']) {
      const v = vols.get(mounts.get(path)!.name as string)!;
      expect(v.emptyDir, path).toBeDefined();
      expect(v.emptyDir.sizeLimit, path).toMatch(/^[0-9]+Mi$/);
    }
  });

  it('applies the RuntimeDefault seccomp profile to the pod and the container', () => {
    expect(pod.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
    expect(sensor.securityContext.seccompProfile).toEqual({ type: 'RuntimeDefault' });
  });

  it('mounts only tracefs, BTF and the cgroup tree from the host, all read-only, as directories', () => {
    const hostPaths = (pod.volumes as Obj[]).filter((v) => v.hostPath !== undefined);
    expect(hostPaths.map((v) => v.hostPath.path).sort()).toEqual(['/sys/fs/cgroup', '/sys/kernel/btf', '/sys/kernel/tracing']);
    for (const v of hostPaths) {
      expect(v.hostPath.type).toBe('Directory');
      const m = (sensor.volumeMounts as Obj[]).find((x) => x.name === v.name)!;
      expect(m.readOnly, v.name).toBe(true);
      expect(m.mountPath).toBe(v.hostPath.path);
    }
  });

  it('mounts every volume it declares, and declares every volume it mounts', () => {
    const declared = (pod.volumes as Obj[]).map((v) => v.name as string).sort();
    const mounted = (sensor.volumeMounts as Obj[]).map((m) => m.name as string).sort();
    expect(mounted).toEqual(declared);
    // no mount nested inside another (a configMap or secret volume cannot hold mount points)
    const paths = (sensor.volumeMounts as Obj[]).map((m) => m.mountPath as string);
    for (const a of paths) for (const b of paths) if (a !== b) expect(b.startsWith(`${a}/`), `${b} inside ${a}`).toBe(false);
  });

  it('sets CPU and memory requests and limits, requests within limits', () => {
    const { requests, limits } = sensor.resources as Obj;
    const cpu = (v: string): number => (v.endsWith('m') ? Number(v.slice(0, -1)) / 1000 : Number(v));
    expect(cpu(requests.cpu)).toBeGreaterThan(0);
    expect(cpu(requests.cpu)).toBeLessThanOrEqual(cpu(String(limits.cpu)));
    const mib = (v: string): number => (v.endsWith('Gi') ? Number(v.slice(0, -2)) * 1024 : Number(v.slice(0, -2)));
    expect(mib(requests.memory)).toBeGreaterThanOrEqual(128);
    expect(mib(requests.memory)).toBeLessThanOrEqual(mib(limits.memory));
  });

  it('probes /healthz on the metrics port (8765): startup, readiness and liveness', () => {
    const port = (sensor.ports as Obj[]).find((p) => p.name === 'metrics')!;
    expect(port.containerPort).toBe(8765);
    for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
      expect(sensor[probe].httpGet, probe).toEqual({ path: '/healthz', port: 'metrics' });
    }
    // the start-up allowance covers compiling and attaching the sensor (tens of seconds)
    expect(sensor.startupProbe.periodSeconds * sensor.startupProbe.failureThreshold).toBeGreaterThanOrEqual(120);
  });

  it('runs the eBPF source, names its node, and does not use a floating image tag', () => {
    expect(sensor.args.slice(0, 3)).toEqual(['run', '--source', 'ebpf']);
    expect(sensor.env).toContainEqual({ name: 'NODE_NAME', valueFrom: { fieldRef: { fieldPath: 'spec.nodeName' } } });
    expect(sensor.image).not.toMatch(/:latest$/);
    expect(sensor.image).toMatch(/:[0-9][^:@]*(@sha256:[0-9a-f]{64})?$/);
  });
});
