// Rule loader – files on disk: several paths in order, directories and globs expanded to their
// .yaml/.yml files sorted, unreadable or missing paths reported, later files overriding earlier ones.
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadRules } from '../../src/rules/load.js';
import { errors } from '../helpers/rules.js';

let dir: string;

const rule = (name: string, priority = 'INFO') => `- rule: ${name}\n  desc: d\n  condition: evt.type = open\n  output: x\n  priority: ${priority}\n`;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'peregrine-rules-'));
  mkdirSync(join(dir, 'rules.d'));
  writeFileSync(join(dir, 'base.yaml'), rule('base'));
  writeFileSync(join(dir, 'rules.d', '20-second.yml'), rule('second'));
  writeFileSync(join(dir, 'rules.d', '10-first.yaml'), `${rule('first')}- rule: base\n  priority: ERROR\n  override:\n    priority: replace\n`);
  writeFileSync(join(dir, 'rules.d', 'README.md'), 'not rules');
  writeFileSync(join(dir, 'rules.d', '30-broken.yaml.disabled'), '- rule: [');
});

describe('paths', () => {
  it('a directory loads its .yaml and .yml files in sorted order, after the files before it', async () => {
    const r = await loadRules({ paths: ['base.yaml', 'rules.d'], cwd: dir });
    expect(errors(r)).toEqual([]);
    expect(r.files).toEqual(['base.yaml', 'rules.d/10-first.yaml', 'rules.d/20-second.yml']);
    expect(r.rules.map((x) => x.name)).toEqual(['base', 'first', 'second']);
    expect(r.rules[0]?.priority).toBe(3);
    expect(r.results.map((x) => x.name)).toEqual(r.files);
  });

  it('a glob expands the same way', async () => {
    const r = await loadRules({ paths: ['base.yaml', 'rules.d/*.y*ml'], cwd: dir });
    expect(r.files).toEqual(['base.yaml', 'rules.d/10-first.yaml', 'rules.d/20-second.yml']);
  });

  it('absolute paths work too', async () => {
    const r = await loadRules({ paths: [join(dir, 'base.yaml')] });
    expect(r.rules.map((x) => x.name)).toEqual(['base']);
  });

  it('a missing file and a glob matching nothing are LOAD_ERR_FILE_READ; the other files still load', async () => {
    const r = await loadRules({ paths: ['nope.yaml', 'empty/*.yaml', 'base.yaml'], cwd: dir });
    expect(errors(r).map((e) => [e.code, e.message])).toEqual([
      ['LOAD_ERR_FILE_READ', "Could not read rules file 'nope.yaml': no such file or directory"],
      ['LOAD_ERR_FILE_READ', "No rules files (.yaml, .yml) match 'empty/*.yaml'"],
    ]);
    expect(r.rules.map((x) => x.name)).toEqual(['base']);
    expect(r.successful).toBe(false);
  });
});
