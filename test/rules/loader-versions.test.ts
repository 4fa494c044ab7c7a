// Rule loader – versions (spec §1.2–1.3): required_engine_version against Falco engine 0.63.0, and
// required_plugin_versions against Peregrine's built-in stand-ins for plugins.
import { describe, expect, it } from 'vitest';
import {
  BUILTIN_PLUGIN_VERSIONS, CONTAINER_PLUGIN_VERSION, FALCO_ENGINE_VERSION, JSON_PLUGIN_VERSION, K8SAUDIT_PLUGIN_VERSION, parseSemver, satisfies,
} from '../../src/rules/versions.js';
import { errors, errorMessages, load, loadFiles } from '../helpers/rules.js';

describe('declared versions', () => {
  it('Falco engine 0.63.0; container 0.6.0, k8saudit 0.18.0 and json 0.7.0 stand-ins', () => {
    expect(FALCO_ENGINE_VERSION).toBe('0.63.0');
    expect(BUILTIN_PLUGIN_VERSIONS).toEqual({ container: CONTAINER_PLUGIN_VERSION, k8saudit: K8SAUDIT_PLUGIN_VERSION, json: JSON_PLUGIN_VERSION });
    expect([CONTAINER_PLUGIN_VERSION, K8SAUDIT_PLUGIN_VERSION, JSON_PLUGIN_VERSION]).toEqual(['0.6.0', '0.18.0', '0.7.0']);
  });

  it('semver: same major and at least the version', () => {
    const v = (s: string) => parseSemver(s) as NonNullable<ReturnType<typeof parseSemver>>;
    expect(satisfies(v('0.63.0'), v('0.57.0'))).toBe(true);
    expect(satisfies(v('0.63.0'), v('0.63.1'))).toBe(false);
    expect(satisfies(v('0.63.0'), v('1.0.0'))).toBe(false);
    expect(parseSemver('1.2')).toBeUndefined();
    expect(parseSemver('1.2.3-rc1')).toEqual({ major: 1, minor: 2, patch: 3 });
  });
});

describe('required_engine_version', () => {
  it('an integer N means 0.N.0; a semver string is taken as is; the highest is kept', () => {
    const r = loadFiles({ 'a.yaml': '- required_engine_version: 26\n', 'b.yaml': '- required_engine_version: 0.57.0\n', 'c.yaml': '- required_engine_version: 15\n' });
    expect(errors(r)).toEqual([]);
    expect(r.requiredEngineVersion).toBe('0.57.0');
  });

  it('a newer engine is required: LOAD_ERR_VALIDATE', () => {
    const r = load('- required_engine_version: 0.99.0\n');
    expect(errorMessages(r)).toEqual(['Rules require engine version 0.99.0, but engine version is 0.63.0']);
    expect(errors(r)[0]?.code).toBe('LOAD_ERR_VALIDATE');
    expect(errorMessages(load('- required_engine_version: 64\n'))).toEqual(['Rules require engine version 0.64.0, but engine version is 0.63.0']);
    expect(errorMessages(load('- required_engine_version: 1.0.0\n'))).toEqual(['Rules require engine version 1.0.0, but engine version is 0.63.0']);
  });

  it('not a version: LOAD_ERR_YAML_VALIDATE', () => {
    const r = load('- required_engine_version: seven\n');
    expect(errorMessages(r)).toEqual(['Unable to parse engine version \'seven\' as a semver string. Expected "x.y.z" semver format.']);
    expect(errors(r)[0]?.code).toBe('LOAD_ERR_YAML_VALIDATE');
  });
});

describe('required_plugin_versions', () => {
  const req = (body: string) => load(`- required_plugin_versions:\n${body}`);

  it('met by a built-in stand-in (container, k8saudit, json), checking alternatives', () => {
    expect(errors(req('    - name: container\n      version: 0.4.0\n'))).toEqual([]);
    expect(errors(req('    - name: k8saudit-eks\n      version: 0.12.0\n      alternatives:\n        - name: k8saudit\n          version: 0.18.0\n'))).toEqual([]);
    expect(errors(req('    - name: json\n      version: 0.7.0\n'))).toEqual([]);
  });

  it('not met: a newer version, another major, or an unknown plugin', () => {
    const newer = req('    - name: container\n      version: 0.9.0\n');
    expect(errorMessages(newer)[0]).toMatch(/^Plugin requirement not satisfied, must load one of: container \(>= 0\.9\.0\)\. Peregrine has no plugins/);
    expect(errors(newer)[0]?.code).toBe('LOAD_ERR_VALIDATE');
    expect(errors(newer)[0]?.at?.position.line).toBe(2);
    expect(errorMessages(req('    - name: container\n      version: 1.0.0\n')).length).toBe(1);
    expect(errorMessages(req('    - name: cloudtrail\n      version: 0.1.0\n      alternatives:\n        - name: okta\n          version: 0.1.0\n'))[0])
      .toContain('must load one of: cloudtrail (>= 0.1.0), okta (>= 0.1.0)');
  });

  it('the versions in effect can be given (e.g. by the engine configuration)', () => {
    const r = load('- required_plugin_versions:\n    - name: cloudtrail\n      version: 0.1.0\n', { pluginVersions: { cloudtrail: '0.2.0' } });
    expect(errors(r)).toEqual([]);
    expect(r.requiredPlugins).toMatchObject([{ alternatives: [{ name: 'cloudtrail', version: '0.1.0' }], location: { line: 2 } }]);
  });

  it('validation: invalid versions, duplicate alternatives, wrong shapes', () => {
    expect(errorMessages(req('    - name: container\n      version: latest\n'))).toEqual(["Invalid required version 'latest' for plugin 'container'"]);
    expect(errorMessages(req('    - name: a\n      version: 0.1.0\n      alternatives:\n        - name: a\n          version: 0.2.0\n')))
      .toEqual(["Defined multiple alternative version requirements for plugin 'a'"]);
    expect(errorMessages(load('- required_plugin_versions: x\n'))).toEqual(['Value of required_plugin_versions must be a sequence']);
    expect(errorMessages(req('    - just-a-name\n'))).toEqual(['Plugin version must be a mapping']);
    expect(errorMessages(req('    - name: a\n'))).toEqual(["Item has no mapping for key 'version'"]);
    expect(errorMessages(req('    - name: a\n      version: 0.1.0\n      alternatives: b\n'))).toEqual(['Value of plugin version alternatives must be a sequence']);
    expect(errorMessages(req('    - name: a\n      version: 0.1.0\n      alternatives: [b]\n'))).toEqual(['Plugin version alternative must be a mapping']);
  });
});
