// Deployment manifests – deploy/*.yaml parsed with `yaml` and checked for the container-security
// practice Peregrine detects: least capabilities, read-only root, no service-account token, probes,
// resources, every node tolerated, only the host paths the sensor needs and those read-only.
import { describe, expect, it } from 'vitest';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments } from 'yaml';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { ROOT } from '../helpers/shared.js';
import { loadConfig } from '../../src/config/load.js';
import { validateOutputsConfig } from '../../src/output/config.js';
import { loadRulesFromStrings } from '../../src/rules/load.js';
import { allRegistries } from '../../src/cli/registries.js';

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

  it('ships a config that Peregrine validates, pointing at the mounted rules, credentials and spool', () => {
    const cm = ofKind('ConfigMap').find((c) => c.metadata.name === 'peregrine')!;
    const dir = mkdtempSync(join(tmpdir(), 'peregrine-deploy-'));
    writeFileSync(join(dir, 'config.yaml'), cm.data['config.yaml'] as string);
    const { config } = loadConfig({ file: join(dir, 'config.yaml'), env: { NODE_NAME: 'node-1' } });
    expect(config['hostname']).toBe('node-1');
    expect(validateOutputsConfig(config['outputs']).problems).toEqual([]);
    expect(config['sources']).toEqual([{ type: 'ebpf', format: 'auto', follow: false }]);
    const mountOf = (name: string): string => (sensor.volumeMounts as Obj[]).find((m) => m.name === name)!.mountPath as string;
    expect(config['rules_files']).toEqual([mountOf('rules')]);
    const nats = (config['outputs'] as Obj).nats as Obj;
    expect(nats.creds_file).toBe(`${mountOf('nats-credentials')}/nats.creds`);
    expect(nats.spool.dir).toBe(mountOf('spool'));
    const web = config['webserver'] as Obj;
    expect(web.enabled).toBe(true);
    const port = (sensor.ports as Obj[]).find((p) => p.name === 'metrics')!.containerPort as number;
    expect(web.listen_port).toBe(port);
    expect(sensor.args).toContain(`${mountOf('config')}/config.yaml`);
  });

  it('ships the default rules, generated from rules/ and up to date, and they load without a problem', async () => {
    const rules = ofKind('ConfigMap').find((c) => c.metadata.name === 'peregrine-rules')!;
    const { rulesConfigMap } = (await import(join(ROOT, 'scripts', 'gen-deploy-rules.mjs'))) as { rulesConfigMap: () => string };
    expect(readFileSync(join(DEPLOY, 'configmap-rules.yaml'), 'utf8'), 'run node scripts/gen-deploy-rules.mjs').toBe(rulesConfigMap());
    const names = readdirSync(join(ROOT, 'rules')).filter((f) => f.endsWith('.yaml')).sort();
    expect(Object.keys(rules.data).sort()).toEqual(names);
    const loaded = loadRulesFromStrings(Object.entries(rules.data as Record<string, string>).sort().map(([name, content]) => ({ name, content })), { sources: allRegistries() });
    expect(loaded.errorCount).toBe(0);
    expect(loaded.warningCount).toBe(0);
    expect(loaded.rules.length).toBeGreaterThan(20);
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
