// Config – peregrine.yaml defaults, validation with located errors, ${VAR} expansion, environment and
// Falco-style -o overrides.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/load.js';
import { applyOverride } from '../../src/config/overrides.js';
import { ConfigError } from '../../src/common/errors.js';

function file(text: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'peregrine-config-'));
  const p = join(dir, 'peregrine.yaml');
  writeFileSync(p, text);
  return p;
}

describe('config – defaults and validation', () => {
  it('fills every default when there is no file', () => {
    const { config } = loadConfig({ env: {} });
    expect(config['priority']).toBe('debug');
    expect(config['rule_matching']).toBe('first');
    expect(config['json_output']).toBe(false);
    expect(config['json_include_output_property']).toBe(true);
    expect((config['webserver'] as Record<string, unknown>)['listen_port']).toBe(8765);
    expect(config['rules']).toEqual([]);
  });

  it('reports every problem with its key path, line and column', () => {
    const p = file('priority: loud\nrule_matching: all\njson_output: "yes"\nwebserver:\n  listen_port: abc\n  colour: blue\nunknown_key: 1\n');
    try {
      loadConfig({ file: p, env: {} });
      expect.fail('should fail');
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      const msg = (e as Error).message;
      expect(msg).toContain('5 problems');
      expect(msg).toMatch(/peregrine\.yaml:1:11: priority: expected one of emergency/);
      expect(msg).toMatch(/:3:14: json_output: expected true or false/);
      expect(msg).toMatch(/:5:16: webserver\.listen_port: expected an integer/);
      expect(msg).toMatch(/webserver\.colour: unknown key/);
      expect(msg).toMatch(/unknown_key: unknown key/);
    }
  });

  it('names invalid YAML with its position', () => {
    expect(() => loadConfig({ file: file('a: [1,\n'), env: {} })).toThrow(/peregrine\.yaml:\d+:\d+: invalid YAML/);
  });

  it('accepts priorities case-insensitively', () => {
    expect(loadConfig({ file: file('priority: WARNING\n'), env: {} }).config['priority']).toBe('warning');
  });
});

describe('config – overrides', () => {
  it('applies -o key=value with YAML-typed values, list append and index', () => {
    const { config } = loadConfig({
      env: {},
      overrides: ['json_output=true', 'webserver.listen_port=9000', 'rules[].disable.rule=*', 'rules[].enable.tag=network', 'rules_files=[a.yaml, b.yaml]'],
    });
    expect(config['json_output']).toBe(true);
    expect((config['webserver'] as Record<string, unknown>)['listen_port']).toBe(9000);
    expect(config['rules']).toEqual([{ disable: { rule: '*' } }, { enable: { tag: 'network' } }]);
    expect(config['rules_files']).toEqual(['a.yaml', 'b.yaml']);
  });

  it('applies PEREGRINE__ environment overrides before -o ones', () => {
    const { config } = loadConfig({ env: { PEREGRINE__priority: 'notice', PEREGRINE__webserver__enabled: 'true' }, overrides: ['priority=error'] });
    expect(config['priority']).toBe('error');
    expect((config['webserver'] as Record<string, unknown>)['enabled']).toBe(true);
  });

  it('expands ${VAR} and ${VAR:-default} in file values', () => {
    const p = file('hostname: ${NODE_NAME}\nlog_level: ${LEVEL:-warn}\noutputs:\n  nats:\n    url: nats://$${literal}\n');
    const { config } = loadConfig({ file: p, env: { NODE_NAME: 'node-7' } });
    expect(config['hostname']).toBe('node-7');
    expect(config['log_level']).toBe('warn');
    expect(config['outputs']).toEqual({ nats: { url: 'nats://${literal}' } });
    expect(() => loadConfig({ file: file('hostname: ${MISSING}\n'), env: {} })).toThrow(/MISSING/);
  });

  it('rejects malformed overrides', () => {
    expect(() => applyOverride({}, 'novalue')).toThrow(/expected key=value/);
    expect(() => applyOverride({}, 'a[5].b=1')).toThrow(/past the end/);
  });
});
