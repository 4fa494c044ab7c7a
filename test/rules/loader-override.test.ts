// Rule loader – `append` and `override` (spec §1.8): Falco's semantics, and every validation message.
import { describe, expect, it } from 'vitest';
import { errors, errorMessages, load, rule, warnings } from '../helpers/rules.js';

const BASE = `
- rule: legit_rule
  desc: legit rule description
  condition: evt.type=open
  output: user=%user.name command=%proc.cmdline file=%fd.name
  priority: INFO
`;

describe('append semantics (Falco unit tests, F.t)', () => {
  it('list_append: override items append concatenates', () => {
    const r = load(`
- list: shell_binaries
  items: [ash, bash, csh, ksh, sh, tcsh, zsh, dash]
- rule: legit_rule
  desc: legit rule description
  condition: evt.type=open and proc.name in (shell_binaries)
  output: user=%user.name command=%proc.cmdline file=%fd.name
  priority: INFO
- list: shell_binaries
  items: [pwsh]
  override:
    items: append
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'legit_rule').expandedCondition).toBe(
      '(evt.type = open and proc.name in (ash, bash, csh, ksh, sh, tcsh, zsh, dash, pwsh))');
    expect(warnings(r, 'LOAD_DEPRECATED_ITEM')).toEqual([]);
  });

  it('condition_append: a macro append is text concatenation without parentheses', () => {
    const r = load(`
- macro: interactive
  condition: >
    ((proc.aname=sshd and proc.name != sshd) or
    proc.name=systemd-logind or proc.name=login)
- rule: legit_rule
  desc: legit rule description
  condition: evt.type=open and interactive
  output: user=%user.name command=%proc.cmdline file=%fd.name
  priority: INFO
- macro: interactive
  condition: or proc.name = ssh
  override:
    condition: append
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'legit_rule').expandedCondition).toBe(
      '(evt.type = open and (((proc.aname = sshd and proc.name != sshd) or proc.name = systemd-logind or proc.name = login) or proc.name = ssh))');
  });

  it('a macro append without parentheses changes precedence, exactly as in Falco', () => {
    const r = load(`
- macro: m
  condition: proc.name = a or proc.name = b
- macro: m
  condition: and fd.name = x
  override:
    condition: append
- rule: r
  desc: d
  condition: evt.type = open and m
  output: x
  priority: INFO
`);
    expect(rule(r, 'r').expandedCondition).toBe('(evt.type = open and (proc.name = a or (proc.name = b and fd.name = x)))');
  });

  it('rule_override_append: condition, output and desc are appended with one space', () => {
    const r = load(`${BASE}
- rule: legit_rule
  desc: with append
  condition: and proc.name = cat
  output: proc=%proc.name
  override:
    desc: append
    condition: append
    output: append
`);
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_DEPRECATED_ITEM')).toEqual([]);
    const x = rule(r, 'legit_rule');
    expect(x.condition).toBe('evt.type=open and proc.name = cat');
    expect(x.output.text).toBe('user=%user.name command=%proc.cmdline file=%fd.name proc=%proc.name');
    expect(x.desc).toBe('legit rule description with append');
  });

  it('rule_append: the legacy append: true appends the condition and warns that it is deprecated', () => {
    const r = load(`${BASE}
- rule: legit_rule
  condition: and proc.name = cat
  append: true
`);
    expect(errors(r)).toEqual([]);
    expect(warnings(r, 'LOAD_DEPRECATED_ITEM').map((w) => w.message)).toEqual([
      "'append' key is deprecated. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
    ]);
    expect(rule(r, 'legit_rule').expandedCondition).toBe('(evt.type = open and proc.name = cat)');
  });

  it('rule_override_replace and append_replace: replace overwrites, priority included', () => {
    const r = load(`${BASE}
- rule: legit_rule
  desc: a replaced legit description
  condition: and proc.name = cat
  priority: WARNING
  override:
    desc: replace
    condition: append
    priority: replace
`);
    expect(errors(r)).toEqual([]);
    const x = rule(r, 'legit_rule');
    expect(x.condition).toBe('evt.type=open and proc.name = cat');
    expect(x.desc).toBe('a replaced legit description');
    expect(x.output.text).toBe('user=%user.name command=%proc.cmdline file=%fd.name');
    expect(x.priority).toBe(4);
  });

  it('tags: append is a set union, replace replaces the set; both stay sorted', () => {
    const base = `${BASE}  tags: [zeta, alpha]\n`;
    const appended = load(`${base}
- rule: legit_rule
  tags: [beta, alpha]
  override:
    tags: append
`);
    expect(rule(appended, 'legit_rule').tags).toEqual(['alpha', 'beta', 'zeta']);
    const replaced = load(`${base}
- rule: legit_rule
  tags: [omega]
  override:
    tags: replace
`);
    expect(rule(replaced, 'legit_rule').tags).toEqual(['omega']);
  });

  it('replace of enabled, warn_evttypes, skip-if-unknown-filter, capture and capture_duration', () => {
    const r = load(`${BASE}  enabled: false
- rule: legit_rule
  enabled: true
  capture: true
  capture_duration: 5000
  warn_evttypes: false
  skip-if-unknown-filter: true
  override:
    enabled: replace
    capture: replace
    capture_duration: replace
    warn_evttypes: replace
    skip-if-unknown-filter: replace
`);
    expect(errors(r)).toEqual([]);
    expect(warnings(r)).toEqual([]);
    const x = rule(r, 'legit_rule');
    expect(x.enabled).toBe(true);
    expect(x.capture).toBe(true);
    expect(x.captureDuration).toBe(5000);
  });

  it('macro and list replace before any definition is a plain definition', () => {
    const r = load(`
- macro: open_simple
  condition: or evt.type = openat2
  override:
    condition: replace
- macro: open_simple
  condition: evt.type in (open,openat)
- list: dev_creation_binaries
  items: ["csi-provisioner", "csi-attacher"]
  override:
    items: replace
- list: dev_creation_binaries
  items: [blkid]
- rule: test_rule
  desc: simple rule
  condition: open_simple and proc.name in (dev_creation_binaries)
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'test_rule').expandedCondition).toBe('(evt.type in (open, openat) and proc.name in (blkid))');
  });

  it('macro and list append after their definition', () => {
    const r = load(`
- macro: open_simple
  condition: evt.type in (open,openat)
- macro: open_simple
  condition: or evt.type = openat2
  append: true
- list: dev_creation_binaries
  items: [blkid]
- list: dev_creation_binaries
  items: ["csi-provisioner", "csi-attacher"]
  append: true
- rule: test_rule
  desc: simple rule
  condition: open_simple and proc.name in (dev_creation_binaries)
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'test_rule').expandedCondition).toBe(
      '((evt.type in (open, openat) or evt.type = openat2) and proc.name in (blkid, csi-provisioner, csi-attacher))');
    expect(warnings(r, 'LOAD_DEPRECATED_ITEM').length).toBe(2);
  });

  it('list_override_append_typo: a misspelt override key is ignored (with a warning): the list is redefined', () => {
    const r = load(`
- list: dev_creation_binaries
  items: ["csi-provisioner", "csi-attacher"]
  overridde:
    items: append
- list: dev_creation_binaries
  items: [blkid]
- rule: test_rule
  desc: simple rule
  condition: evt.type = execve and proc.name in (dev_creation_binaries)
  output: command=%proc.cmdline
  priority: INFO
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'test_rule').expandedCondition).toBe('(evt.type = execve and proc.name in (blkid))');
    expect(warnings(r, 'LOAD_UNKNOWN_KEY').map((w) => w.message)).toEqual(["Unknown key 'overridde'. The key will be ignored."]);
  });

  it('rule_enabled_is_ignored_by_append: with append: true only condition and exceptions count (and Peregrine says so)', () => {
    const r = load(`${BASE}  enabled: false
- rule: legit_rule
  condition: and proc.name = cat
  append: true
  enabled: true
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'legit_rule').enabled).toBe(false);
    expect(warnings(r, 'LOAD_UNKNOWN_KEY')[0]?.message).toContain("Key 'enabled' is ignored on an item with 'append: true'");
  });

  it('rewrite_rule: a full redefinition replaces the rule but keeps its slot', () => {
    const r = load(`
- rule: first
  desc: d
  condition: evt.type = close
  output: x
  priority: INFO
  enabled: false
- rule: second
  desc: d
  condition: evt.type = open
  output: x
  priority: INFO
- rule: first
  desc: redefined
  condition: proc.name = cat
  output: y
  priority: WARNING
`);
    expect(errors(r)).toEqual([]);
    expect(r.rules.map((x) => x.name)).toEqual(['first', 'second']);
    const first = rule(r, 'first');
    expect(first.expandedCondition).toBe('proc.name = cat');
    expect(first.enabled).toBe(true);
    expect(first.priority).toBe(4);
    expect(r.details.get('first')?.history.length).toBe(2);
  });

  it('a standalone enabled item toggles an earlier rule (deprecated)', () => {
    const r = load(`${BASE}  enabled: false
- rule: legit_rule
  enabled: true
`);
    expect(errors(r)).toEqual([]);
    expect(rule(r, 'legit_rule').enabled).toBe(true);
    expect(warnings(r, 'LOAD_DEPRECATED_ITEM')[0]?.message).toContain("The standalone 'enabled' key usage is deprecated");
  });

  it('override with enabled: replace and enabled present (rule_override_with_enabled): no warnings', () => {
    const r = load(`${BASE}  enabled: false
- rule: legit_rule
  desc: correct override
  condition: and proc.name = cat
  enabled: true
  override:
    desc: replace
    condition: append
    enabled: replace
`);
    expect(errors(r)).toEqual([]);
    expect(warnings(r)).toEqual([]);
    expect(rule(r, 'legit_rule').enabled).toBe(true);
  });
});

describe('override validation: every message', () => {
  const cases: Array<{ name: string; yaml: string; message: string; code?: string }> = [
    {
      name: 'append: true together with override (rule)',
      yaml: `${BASE}\n- rule: legit_rule\n  condition: and proc.name = cat\n  append: true\n  override:\n    condition: append\n`,
      message: "Keys 'override' and 'append: true' cannot be used together. Add an 'append' entry (e.g. 'condition: append') under 'override' instead.",
    },
    {
      name: 'append: true together with override (macro)',
      yaml: '- macro: m\n  condition: evt.type = open\n- macro: m\n  condition: or evt.type = close\n  append: true\n  override:\n    condition: append\n',
      message: "Keys 'override' and 'append: true' cannot be used together",
    },
    {
      name: 'append: true together with override (list)',
      yaml: '- list: l\n  items: [a]\n- list: l\n  items: [b]\n  append: true\n  override:\n    items: replace\n',
      message: "Keys 'override' and 'append: true' cannot be used together",
    },
    {
      name: 'a key that cannot be appended',
      yaml: `${BASE}\n- rule: legit_rule\n  desc: x\n  condition: and proc.name = cat\n  priority: WARNING\n  override:\n    desc: replace\n    condition: append\n    priority: append\n`,
      message: "Key 'priority' cannot be appended to, use 'replace' instead",
    },
    {
      name: 'a key that cannot be replaced',
      yaml: `${BASE}\n- rule: legit_rule\n  source: syscall\n  override:\n    source: replace\n`,
      message: "Key 'source' cannot be replaced",
    },
    {
      name: 'a macro key that cannot be overridden',
      yaml: '- macro: m\n  condition: evt.type = open\n- macro: m\n  condition: or evt.type = close\n  override:\n    items: append\n',
      message: "Key 'items' cannot be appended to, use 'replace' instead",
    },
    {
      name: 'an invalid operation',
      yaml: `${BASE}\n- rule: legit_rule\n  condition: and proc.name = cat\n  override:\n    condition: prepend\n`,
      message: "Invalid override operation for key 'condition': 'prepend'. Allowed values are: append replace",
    },
    {
      name: 'an override for a key the item lacks',
      yaml: `${BASE}\n- rule: legit_rule\n  desc: an appended incorrect field\n  override:\n    desc: replace\n    condition: append\n`,
      message: "An append override for 'condition' was specified but 'condition' is not defined",
    },
    {
      name: 'a present key not named under override',
      yaml: `${BASE}\n- rule: legit_rule\n  desc: x\n  condition: and proc.name = cat\n  priority: WARNING\n  override:\n    desc: replace\n    condition: append\n`,
      message: "Unexpected key 'priority': no corresponding entry under 'override' is defined.",
    },
    {
      name: 'enabled: replace without enabled (missing_enabled_key_with_override)',
      yaml: `${BASE}\n- rule: legit_rule\n  desc: missing enabled key\n  condition: and proc.name = cat\n  override:\n    desc: replace\n    condition: append\n    enabled: replace\n`,
      message: "'enabled' was specified but 'enabled' is not defined",
    },
    {
      name: 'override that is not a mapping',
      yaml: `${BASE}\n- rule: legit_rule\n  condition: and proc.name = cat\n  override: append\n`,
      message: "The value of 'override' must be a mapping",
    },
    {
      name: 'append to a rule that does not exist',
      yaml: '- rule: test_rule\n  condition: and proc.name = cat\n  override:\n    condition: append\n',
      message: "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'legacy append to a rule that does not exist',
      yaml: '- rule: test_rule\n  condition: and proc.name = cat\n  append: true\n',
      message: "Rule uses 'append' or 'override.<key>: append' but no rule by that name already exists",
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'replace of a rule that does not exist',
      yaml: '- rule: test_rule\n  condition: and proc.name = cat\n  override:\n    condition: replace\n',
      message: "An 'override.<key>: replace' to a rule was requested but no rule by that name already exists",
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'append to a macro that does not exist yet',
      yaml: '- macro: open_simple\n  condition: or evt.type = openat2\n  override:\n    condition: append\n- macro: open_simple\n  condition: evt.type in (open,openat)\n',
      message: "Macro uses 'append' or 'override.condition: append' but no macro by that name already exists",
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'append to a list that does not exist yet',
      yaml: '- list: l\n  items: [a]\n  append: true\n- list: l\n  items: [b]\n',
      message: "List uses 'append' or 'override.items: append' but no list by that name already exists",
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'legacy append with neither condition nor exceptions',
      yaml: `${BASE}\n- rule: legit_rule\n  desc: more\n  append: true\n`,
      message: 'Appended rule must have exceptions or condition property',
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'a redefinition with a different source',
      yaml: `${BASE}\n- rule: legit_rule\n  desc: d\n  condition: ka.verb = get\n  output: x\n  priority: INFO\n  source: k8s_audit\n`,
      message: 'Rule has been re-defined with a different source',
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'an override with a different source',
      yaml: `${BASE}\n- rule: legit_rule\n  condition: and proc.name = cat\n  source: k8s_audit\n  override:\n    condition: append\n`,
      message: 'Rule has been re-defined with a different source',
      code: 'LOAD_ERR_VALIDATE',
    },
    {
      name: 'a standalone enabled for a rule that does not exist',
      yaml: '- rule: nope\n  enabled: false\n',
      message: "Rule has 'enabled' key but no rule by that name already exists",
      code: 'LOAD_ERR_VALIDATE',
    },
  ];
  for (const c of cases) {
    it(c.name, () => {
      const r = load(c.yaml);
      expect(r.successful).toBe(false);
      const e = errors(r).find((x) => x.message.includes(c.message));
      expect(e, `errors: ${errorMessages(r).join(' | ')}`).toBeDefined();
      expect(e?.code).toBe(c.code ?? 'LOAD_ERR_YAML_VALIDATE');
      // Every error is located in the file.
      expect(e?.at?.file).toBe('rules.yaml');
      expect(e?.at?.position.line).toBeGreaterThan(0);
    });
  }

  it('the snippet of an override error shows the offending entry (rule_incorrect_override_type)', () => {
    const r = load(`${BASE}\n- rule: legit_rule\n  desc: x\n  condition: and proc.name = cat\n  priority: WARNING\n  override:\n    desc: replace\n    condition: append\n    priority: append\n`);
    expect(errors(r)[0]?.snippet).toContain('priority: append');
  });

  it('a failed append leaves the rule unchanged', () => {
    const r = load(`${BASE}
- rule: legit_rule
  condition: and proc.name = cat
  exceptions:
    - name: new_one
      fields: [proc.name]
  override:
    condition: append
    exceptions: append
`);
    expect(errorMessages(r)).toEqual(['Rule exception must have values property with a list of values']);
    expect(rule(r, 'legit_rule').condition).toBe('evt.type=open');
  });
});
