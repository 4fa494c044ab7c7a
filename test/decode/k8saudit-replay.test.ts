// k8s audit decoding – the 47 real audit events of Falco's test suite (minikube, 2018, audit.k8s.io/v1beta1)
// replayed through the decoder and the compiled upstream k8s_audit_rules.yaml, asserting exactly which
// rules fire for each file.
//
// How each expectation follows from the rule text (upstream defaults, no overrides):
// - Activity rules ("K8s <Kind> Created/Deleted") fire on every successful create/delete of their
//   resource by anyone, except Secret (not in kube-system, non-system users only) and Namespace Deleted
//   (non-system users only).
// - "Create Disallowed Pod" and "Full K8s Administrative Access" are disabled by default: their gating
//   macros (allowed_k8s_containers, allowed_full_admin_users) are k8s_audit_always_true. The Falco test
//   for create_nginx_pod_unprivileged used an allow-list without nginx; that case is replayed separately
//   below with the same override.
// - "All K8s Audit Events" is disabled (consider_all_events is k8s_audit_never_true).
// - Every user in these files except system:* users, "some-user" and "system:anonymous" is in
//   allowed_k8s_users (minikube-user, admin), so "Disallowed K8s User" fires only for some-user.
// - attach_pod / exec_pod are ResponseStarted events, which only "Attach/Exec Pod" (kevt_started) reads.
// - The pod-creating events come from the replicaset controller (a system user): no activity rule covers
//   pods, and the pod rules do not look at the user.
// - fal_01_003 is `{"kind": 0}` (11 bytes): not an audit event; the decoder counts it and yields nothing.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { DATA, describeShared, K8S_AUDIT_RULES } from '../helpers/shared.js';
import { loadRulesFromStrings } from '../../src/rules/load.js';
import { allRegistries } from '../../src/cli/registries.js';
import type { CompiledRule } from '../../src/rules/types.js';

/** The upstream file through the real loader, optionally followed by overriding YAML (allow-lists). */
function loadRulesFile(path: string, extraYaml?: string): { rules: CompiledRule[]; errors: string[] } {
  const inputs = [{ name: path, content: readFileSync(path, 'utf8') }, ...(extraYaml === undefined ? [] : [{ name: 'overrides.yaml', content: extraYaml }])];
  const loaded = loadRulesFromStrings(inputs, { sources: allRegistries() });
  return { rules: loaded.rules, errors: loaded.results.flatMap((r) => r.errors.map((e) => e.message)) };
}
import { K8sAuditDecoder } from '../../src/decode/k8saudit.js';

const DIR = join(DATA, 'falco-test-trace_files', 'k8s_audit');

/** File (without .json) → the rules that fire, once per event, in rule-file order. */
const EXPECTED: Record<string, string[]> = {
  // system:anonymous is a system user (no Disallowed K8s User); foo is not an allowed namespace.
  anonymous_creates_namespace_foo: ['Anonymous Request Allowed', 'Create Disallowed Namespace', 'K8s Namespace Created'],
  attach_cluster_admin_role: ['Attach to cluster-admin Role', 'K8s ClusterRoleBinding Created'],
  attach_pod: ['Attach/Exec Pod'],
  create_cluster_role_pod_exec: ['ClusterRole With Pod Exec Created', 'K8s ClusterRole Created'],
  create_cluster_role_wildcard_resources: ['ClusterRole With Wildcard Created', 'K8s ClusterRole Created'],
  create_cluster_role_wildcard_verbs: ['ClusterRole With Wildcard Created', 'K8s ClusterRole Created'],
  create_cluster_role_write_privileges: ['ClusterRole With Write Privileges Created', 'K8s ClusterRole Created'],
  create_clusterrole: ['K8s ClusterRole Created'],
  create_clusterrolebinding: ['K8s ClusterRoleBinding Created'],
  create_configmap: ['K8s ConfigMap Created'],
  create_configmap_no_sensitive_values: ['K8s ConfigMap Created'],
  // Six events (JSON lines), each with an aws key or password: six credential alerts (Falco's test expects 6).
  create_configmap_sensitive_values: Array.from({ length: 6 }, () => ['Create/Modify Configmap With Private Credentials', 'K8s ConfigMap Created']).flat(),
  create_deployment: ['K8s Deployment Created'],
  // kube-system secrets are excluded from K8s Secret Created; admin is an allowed user.
  create_kube_system_secret: [],
  create_nginx_pod_hostnetwork: ['Create HostNetwork Pod'],
  create_nginx_pod_no_secctx_1st_container_privileged_2nd_container: ['Create Privileged Pod'],
  create_nginx_pod_nohostnetwork: [],
  create_nginx_pod_privileged: ['Create Privileged Pod'],
  create_nginx_pod_privileged_2nd_container: ['Create Privileged Pod'],
  create_nginx_pod_sensitive_mount: ['Create Sensitive Mount Pod'],
  create_nginx_pod_sensitive_mount_2nd_container: ['Create Sensitive Mount Pod'],
  // Create Disallowed Pod is off by default (see the override test below).
  create_nginx_pod_unprivileged: [],
  // A kubelet `get` of a pod whose hostPath is not sensitive: no pod-creation rule applies.
  create_nginx_pod_unsensitive_mount: [],
  create_nginx_service_nodeport: ['Create NodePort Service', 'K8s Service Created'],
  create_nginx_service_nonodeport: ['K8s Service Created'],
  create_pod_kube_public_namespace: ['Pod Created in Kube Namespace'],
  create_pod_kube_system_namespace: ['Pod Created in Kube Namespace'],
  create_secret: ['K8s Secret Created'],
  create_service: ['K8s Service Created'],
  create_serviceaccount: ['K8s Serviceaccount Created'],
  // system:kube-controller-manager is a system user: K8s Secret Created does not fire.
  create_service_account_token_secret: [],
  create_serviceaccount_kube_public_namespace: ['Service Account Created in Kube Namespace', 'K8s Serviceaccount Created'],
  create_serviceaccount_kube_system_namespace: ['Service Account Created in Kube Namespace', 'K8s Serviceaccount Created'],
  delete_cluster_role_kube_aggregator: ['System ClusterRole Modified/Deleted', 'K8s ClusterRole Deleted'],
  delete_clusterrole: ['K8s ClusterRole Deleted'],
  delete_clusterrolebinding: ['K8s ClusterRoleBinding Deleted'],
  delete_configmap: ['K8s ConfigMap Deleted'],
  delete_deployment: ['K8s Deployment Deleted'],
  delete_namespace_foo: ['K8s Namespace Deleted'],
  delete_secret: ['K8s Secret Deleted'],
  delete_service: ['K8s Service Deleted'],
  delete_serviceaccount: ['K8s Serviceaccount Deleted'],
  exec_pod: ['Attach/Exec Pod'],
  fal_01_003: [],
  // minikube-user is allowed: no Disallowed K8s User (the case this file is negative for).
  minikube_creates_namespace_foo: ['Create Disallowed Namespace', 'K8s Namespace Created'],
  // A patch is a modification: System ClusterRole Modified/Deleted, but no Created/Deleted activity.
  modify_cluster_role_node_problem_detector: ['System ClusterRole Modified/Deleted'],
  some_user_creates_namespace_foo: ['Disallowed K8s User', 'Create Disallowed Namespace', 'K8s Namespace Created'],
};

/** The negative cases of Falco's suite and the rule each one must not fire. */
const NEGATIVE: Record<string, string[]> = {
  create_nginx_pod_nohostnetwork: ['Create HostNetwork Pod'],
  create_nginx_pod_unsensitive_mount: ['Create Sensitive Mount Pod'],
  create_nginx_service_nonodeport: ['Create NodePort Service'],
  create_configmap_no_sensitive_values: ['Create/Modify Configmap With Private Credentials'],
  create_kube_system_secret: ['K8s Secret Created'],
  create_service_account_token_secret: ['K8s Secret Created'],
  minikube_creates_namespace_foo: ['Disallowed K8s User'],
  fal_01_003: [], // nothing at all: checked by the EXPECTED entry being empty
};

function replay(file: string, rules: readonly CompiledRule[]): { fired: string[]; decoder: K8sAuditDecoder } {
  const decoder = new K8sAuditDecoder();
  const fired: string[] = [];
  // The files are JSON lines, as the k8saudit plugin reads them.
  for (const line of readFileSync(join(DIR, file), 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    for (const ev of decoder.decode(line).events) {
      for (const r of rules) if (r.enabled && (r.test as (e: unknown) => boolean)(ev)) fired.push(r.name);
    }
  }
  return { fired, decoder };
}

describeShared('replaying the real k8s audit samples through the upstream rules', () => {
  const { rules, errors } = loadRulesFile(K8S_AUDIT_RULES);
  const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort();
  const key = (f: string): string => f.slice(0, -'.json'.length).replace('some-user', 'some_user');

  it('covers all 47 sample files', () => {
    expect(errors).toEqual([]);
    expect(files).toHaveLength(47);
    expect(files.map(key).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(files)('%s fires exactly the expected rules', (file) => {
    const { fired } = replay(file, rules);
    expect(fired).toEqual(EXPECTED[key(file)]);
    for (const r of NEGATIVE[key(file)] ?? []) expect(fired).not.toContain(r);
  });

  it('decodes every sample event and counts the invalid one', () => {
    let events = 0;
    let unrecognized = 0;
    for (const f of files) {
      const s = replay(f, []).decoder.stats();
      events += s.events;
      unrecognized += s.unrecognized;
      expect(s.malformedJson + s.badTimestamp + s.tooLarge, f).toBe(0);
    }
    expect(events).toBe(51); // 45 one-event files, 6 events in create_configmap_sensitive_values, none in fal_01_003
    expect(unrecognized).toBe(1);
  });

  it('with an image allow-list (as Falco\'s test used), the unprivileged nginx pod is a Disallowed Pod', () => {
    const { rules: withAllowList } = loadRulesFile(K8S_AUDIT_RULES, `
- list: allowed_images
  items: [docker.io/falcosecurity/falco]
- macro: allowed_k8s_containers
  condition: (ka.req.pod.containers.image.repository in (allowed_images))
`);
    expect(replay('create_nginx_pod_unprivileged.json', withAllowList).fired).toEqual(['Create Disallowed Pod']);
    // Pods the default rules flag also become disallowed; a namespace event is untouched.
    expect(replay('create_nginx_pod_privileged.json', withAllowList).fired).toEqual(['Create Disallowed Pod', 'Create Privileged Pod']);
    expect(replay('minikube_creates_namespace_foo.json', withAllowList).fired).toEqual(['Create Disallowed Namespace', 'K8s Namespace Created']);
  });
});
