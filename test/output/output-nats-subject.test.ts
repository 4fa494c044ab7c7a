// NATS subjects: Falcosidekick's default template and slug rule, plus template validation.
import { describe, expect, it } from 'vitest';
import { checkSubjectTemplate, compileSubject, slug, subjectWildcard } from '../../src/output/subject.js';
import { numbered, ruleFor } from '../helpers/alerts.js';

describe('output – NATS subjects', () => {
  it('slugs like Falcosidekick: lowercase, runs of non-[a-z0-9] to _, trimmed', () => {
    expect(slug('Terminal shell in container')).toBe('terminal_shell_in_container');
    expect(slug('  Read sensitive file -- untrusted!! ')).toBe('read_sensitive_file_untrusted');
    expect(slug('Écrire/Über.Regel')).toBe('crire_ber_regel');
    expect(slug('node-1.example.com')).toBe('node_1_example_com');
    expect(slug('!!!')).toBe('_');
  });

  it('renders the default falco.<priority>.<rule> subject', () => {
    const s = compileSubject('falco.<priority>.<rule>');
    expect(s(numbered(1, ruleFor('Terminal shell in container', 5)))).toBe('falco.notice.terminal_shell_in_container');
    expect(s(numbered(1, ruleFor('Debug thing', 6)))).toBe('falco.informational.debug_thing');
  });

  it('supports <source> and <hostname>', () => {
    expect(compileSubject('alerts.<hostname>.<source>.<rule>')(numbered(1, ruleFor('X y', 1)))).toBe('alerts.test_host.syscall.x_y');
  });

  it('validates templates', () => {
    expect(checkSubjectTemplate('falco.<priority>.<rule>')).toBeUndefined();
    expect(checkSubjectTemplate('falco.<prio>')).toMatch(/unknown placeholder <prio>/);
    expect(checkSubjectTemplate('falco..<rule>')).toMatch(/empty tokens/);
    expect(checkSubjectTemplate('falco.<rule>.')).toMatch(/empty tokens/);
    expect(checkSubjectTemplate('falco.*')).toMatch(/wildcards/);
    expect(checkSubjectTemplate('falco alerts')).toMatch(/whitespace/);
  });

  it('derives the stream wildcard from the template', () => {
    expect(subjectWildcard('falco.<priority>.<rule>')).toBe('falco.*.*');
    expect(subjectWildcard('sec.<hostname>.alerts.<rule>')).toBe('sec.*.alerts.*');
  });
});
