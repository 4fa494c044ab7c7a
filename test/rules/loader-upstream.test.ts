// Rule loader – the upstream Falco rule files load unchanged, with the items the files define, and
// rules expand to the conditions Falco prints.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { allRegistries, registryFor } from '../../src/cli/registries.js';
import { describeShared, INCUBATING_RULES, K8S_AUDIT_RULES, SANDBOX_RULES, STABLE_RULES } from '../helpers/shared.js';
import { errors, warnings } from '../helpers/rules.js';

const SYSCALL_FILES = [STABLE_RULES, INCUBATING_RULES, SANDBOX_RULES];

/** Distinct names of each item kind, counted from the YAML itself (a redefinition keeps one slot). */
function countItems(files: readonly string[]): { rule: number; macro: number; list: number } {
  const names = { rule: new Set<string>(), macro: new Set<string>(), list: new Set<string>() };
  for (const f of files) {
    for (const doc of parseAllDocuments(readFileSync(f, 'utf8'))) {
      for (const item of (doc.toJS() ?? []) as Array<Record<string, unknown>>) {
        for (const kind of ['rule', 'macro', 'list'] as const) {
          if (typeof item[kind] === 'string') {
            names[kind].add(item[kind] as string);
            break;
          }
        }
      }
    }
  }
  return { rule: names.rule.size, macro: names.macro.size, list: names.list.size };
}

describeShared('upstream rule files', () => {
  it('stable, incubating and sandbox load together with no errors and the files\' items', async () => {
    const r = await loadRules({ paths: SYSCALL_FILES, sources: allRegistries() });
    expect(errors(r)).toEqual([]);
    expect(r.successful).toBe(true);
    const counts = countItems(SYSCALL_FILES);
    expect(counts.rule).toBeGreaterThan(80);
    expect(r.rules.length).toBe(counts.rule);
    expect(r.skipped).toEqual([]);
    expect(r.macros.length).toBe(counts.macro);
    expect(r.lists.length).toBe(counts.list);
    expect(r.files).toEqual(SYSCALL_FILES);
    expect(r.requiredEngineVersion).toBe('0.57.0');
    // Evaluation order is first definition: ids are dense and follow the files.
    expect(r.rules.map((x) => x.id)).toEqual(r.rules.map((_, i) => i));
    expect(r.rules[0]?.location.file).toBe(STABLE_RULES);
  });

  it('every rule of the three files has an event-type restriction Falco would not warn about', async () => {
    const r = await loadRules({ paths: SYSCALL_FILES });
    expect(warnings(r, 'LOAD_NO_EVTTYPE')).toEqual([]);
    for (const rule of r.rules) expect(rule.source).toBe('syscall');
  });

  it('k8s_audit_rules.yaml alone: only unknown-source warnings (and the unused items that follow) until k8s_audit exists', async () => {
    const r = await loadRules({ paths: [K8S_AUDIT_RULES], sources: allRegistries() });
    expect(errors(r)).toEqual([]);
    const counts = countItems([K8S_AUDIT_RULES]);
    if (registryFor('k8s_audit') === undefined) {
      expect(r.rules).toEqual([]);
      expect(r.skipped.length).toBe(counts.rule);
      expect(warnings(r, 'LOAD_UNKNOWN_SOURCE').length).toBe(counts.rule);
      const codes = new Set(warnings(r).map((w) => w.code));
      for (const c of codes) expect(['LOAD_UNKNOWN_SOURCE', 'LOAD_UNUSED_MACRO', 'LOAD_UNUSED_LIST']).toContain(c);
    } else {
      expect(r.rules.length).toBe(counts.rule);
      expect(warnings(r, 'LOAD_UNKNOWN_SOURCE')).toEqual([]);
    }
  });

  it('expands upstream rules to the canonical strings Falco prints', async () => {
    const r = await loadRules({ paths: [STABLE_RULES] });
    const expanded = (name: string): string => {
      const rule = r.rules.find((x) => x.name === name);
      if (rule === undefined) throw new Error(`no rule ${name}`);
      return rule.expandedCondition;
    };
    // Derived by hand from falco_rules.yaml: parentheses make no node, macros are substituted
    // without flattening, lists are joined with ", ", values print bare unless they need quotes.
    expect(expanded('Terminal shell in container')).toBe(
      '(evt.type in (execve, execveat) and container.id != host and proc.name in (ash, bash, csh, ksh, sh, tcsh, zsh, dash)'
      + ' and proc.tty != 0 and (not proc.pname exists or proc.pname in (runc:[0:PARENT], runc:[1:CHILD], runc, docker-runc, exe,'
      + ' docker-runc-cur, containerd-shim, systemd, crio, conmon)) and not evt.num = 0)');
    expect(expanded('Search Private Keys or Passwords')).toBe(
      '(evt.type in (execve, execveat) and ((proc.name in (grep, egrep, fgrep) and (proc.args icontains "BEGIN PRIVATE"'
      + ' or proc.args icontains "BEGIN OPENSSH PRIVATE" or proc.args icontains "BEGIN RSA PRIVATE"'
      + ' or proc.args icontains "BEGIN DSA PRIVATE" or proc.args icontains "BEGIN EC PRIVATE"'
      + ' or (evt.num = 0 and (proc.args icontains " pass " or proc.args icontains " ssh " or proc.args icontains " user "))))'
      + ' or (proc.name = find and (proc.args contains id_rsa or proc.args contains id_dsa or proc.args contains id_ed25519'
      + ' or proc.args contains id_ecdsa))))');
    expect(expanded('Clear Log Activities')).toBe(
      '((evt.type in (open, openat, openat2) and evt.is_open_write = true and fd.typechar = f and fd.num >= 0)'
      + ' and (fd.directory in (/var/log, /dev/log) or fd.filename in (syslog, auth.log, secure, kern.log, cron, user.log,'
      + ' dpkg.log, last.log, yum.log, access_log, mysql.log, mysqld.log)) and evt.arg.flags contains O_TRUNC'
      + ' and not (proc.name = containerd and (fd.name startswith /var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots/'
      + ' or fd.name startswith /var/lib/rancher/k3s/agent/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots'
      + ' or fd.name startswith /var/lib/containerd/tmpmounts/ or fd.name startswith /var/lib/rancher/k3s/agent/containerd/tmpmounts/))'
      + ' and not (container.image.repository endswith splunk/fluentd-hec or container.image.repository endswith fluent/fluentd-kubernetes-daemonset'
      + ' or container.image.repository endswith openshift3/ose-logging-fluentd or container.image.repository endswith containernetworking/azure-npm)'
      + ' and not evt.num = 0)');
  });

  it('indexes rules under the event types of their conditions', async () => {
    const r = await loadRules({ paths: [STABLE_RULES] });
    const shell = r.rules.find((x) => x.name === 'Terminal shell in container');
    expect(shell?.eventTypes.except).toBe(false);
    expect([...(shell?.eventTypes.names ?? [])].sort()).toEqual(['execve', 'execveat']);
    const read = r.rules.find((x) => x.name === 'Read sensitive file untrusted');
    expect([...(read?.eventTypes.names ?? [])].sort()).toEqual(['open', 'openat', 'openat2']);
  });
});
