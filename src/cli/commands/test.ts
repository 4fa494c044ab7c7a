// `peregrine test`: runs rule tests — YAML files whose cases replay events through rules and check
// which rules fire (format: README "Testing rules"; model: src/ruletest/). Prints one line per case
// and, for failures, what fired against what was expected with an explanation of the expected rule
// on its closest event; optionally JUnit XML and rule coverage.

import { writeFileSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import type { Command } from '../command.js';
import { UsageError } from '../../common/errors.js';
import { computeCoverage } from '../../ruletest/coverage.js';
import { renderJunit } from '../../ruletest/junit.js';
import { failureSummary, failureText, renderCoverage, renderResults, summaryText, totals } from '../../ruletest/report.js';
import type { FileResult } from '../../ruletest/result.js';
import { DEFAULT_RULE_TESTS_DIR, DEFAULT_RULES_DIR } from '../default-rules.js';
import { allRegistries } from '../registries.js';
import { expandTestPaths, RuleTestRunner } from '../rule-tests.js';

export const testCommand: Command = {
  name: 'test',
  summary: 'Run rule tests: replay events through rules and check which rules fire',
  usage: `Usage: peregrine test [options] [PATH ...]

Runs rule tests: YAML files whose cases feed events (inline, or lines of sample files) through
rules files and check which rules fire, how often, and with which output fields (the format is
described in README.md, "Testing rules"). Each case starts from empty state. A failed case shows
what fired against what was expected and, for an expected rule that did not fire, its condition
explained on the event that came closest. PATH is a test file, a directory (its *.yaml and *.yml
files) or a glob; without PATH, the tests of Peregrine's default rules (rules/tests/) run.

Options:
  -r, --rules PATH   rules for cases that name no rules_files (repeatable, loaded in order;
                     default: Peregrine's default rules, rules/)
  --filter TEXT      run only the cases whose name contains TEXT
  --junit FILE       also write the results as JUnit XML to FILE
  --coverage         list the rules of the loaded rules files that have no passing positive
                     test (a case expecting the rule to fire) or negative test (count: 0)
  --strict           fail when a rule of the loaded rules files has no passing positive
                     test (implies --coverage)
  -q, --quiet        print failed cases only
  -h, --help         show this help

Exit status: 0 when every case passed; 1 when a case failed (or --strict found a rule without a
positive test); 2 on bad usage or an invalid test file (reported as file:line:col).`,
  async run(args, ctx) {
    const { values, positionals } = parseArgs({
      args: [...args],
      options: {
        rules: { type: 'string', short: 'r', multiple: true },
        filter: { type: 'string' },
        junit: { type: 'string' },
        coverage: { type: 'boolean', default: false },
        strict: { type: 'boolean', default: false },
        quiet: { type: 'boolean', short: 'q', default: false },
      },
      allowPositionals: true,
    });
    const paths = positionals.length > 0 ? positionals : [relative(ctx.cwd, DEFAULT_RULE_TESTS_DIR) || DEFAULT_RULE_TESTS_DIR];
    const { files, missing } = await expandTestPaths(paths, ctx.cwd);
    if (missing.length > 0) throw new UsageError(`no test files at ${missing.map((m) => `'${m}'`).join(', ')}`);
    if (files.length === 0) throw new UsageError(`no test files (*.yaml, *.yml) in ${paths.join(', ')}`);

    const runner = new RuleTestRunner({
      cwd: ctx.cwd,
      defaultRules: values.rules ?? [DEFAULT_RULES_DIR],
      sources: allRegistries(),
      filter: values.filter,
    });
    const results: FileResult[] = [];
    for (const f of files) results.push(await runner.runFile(f));

    const report = renderResults(results, { passes: !values.quiet });
    const t = totals(results);
    ctx.stdout.write(`${report}${report === '' ? '' : '\n'}${summaryText(t)}`);

    let uncovered = 0;
    if (values.coverage || values.strict) {
      const coverage = computeCoverage(await runner.loadedRules(), results.flatMap((f) => f.cases.map((c) => ({ passed: c.passed, expect: c.testCase.expect }))));
      ctx.stdout.write(`${renderCoverage(coverage)}`);
      uncovered = coverage.withoutPositive.length;
    }
    if (values.junit !== undefined) {
      const target = isAbsolute(values.junit) ? values.junit : join(ctx.cwd, values.junit);
      writeFileSync(target, renderJunit(results, failureSummary, failureText));
    }
    if (t.badFiles > 0) return 2;
    if (t.failed > 0) return 1;
    if (values.strict && uncovered > 0) {
      ctx.stdout.write(`--strict: ${uncovered} rule${uncovered === 1 ? '' : 's'} without a passing positive test\n`);
      return 1;
    }
    return 0;
  },
};
