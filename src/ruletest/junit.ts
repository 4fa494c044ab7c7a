// Rule-test results as JUnit XML (the format CI systems render): one <testsuite> per test file,
// one <testcase> per case; a failed case carries a <failure>, a case that could not run an <error>,
// a test file with problems one <error> case. Text is escaped for XML and stripped of the control
// characters XML 1.0 cannot carry.

import type { CaseResult, FileResult } from './result.js';

const INVALID_XML = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/g;

export function xmlEscape(s: string): string {
  return s.replace(INVALID_XML, '\ufffd').replace(/[<>&"']/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&apos;' })[c] as string);
}

export interface JunitCase {
  readonly name: string;
  readonly classname: string;
  readonly seconds: number;
  readonly failure?: { readonly message: string; readonly details: string };
  readonly error?: { readonly message: string; readonly details: string };
}

/** `summary` and `details` give a failed case's one-line message and its full text. */
export function renderJunit(files: readonly FileResult[], summary: (result: CaseResult) => string, details: (result: CaseResult) => string): string {
  const suites: string[] = [];
  let total = 0;
  let failures = 0;
  let errors = 0;
  let seconds = 0;
  for (const f of files) {
    const cases: JunitCase[] = f.cases.map((r) => {
      const base = { name: r.testCase.name, classname: f.path, seconds: r.ms / 1000 };
      if (r.passed) return base;
      const text = details(r);
      const first = summary(r);
      return r.outcome === undefined ? { ...base, error: { message: first, details: text } } : { ...base, failure: { message: first, details: text } };
    });
    if (f.problems.length > 0) {
      cases.push({ name: '(test file)', classname: f.path, seconds: 0, error: { message: 'invalid test file', details: f.problems.join('\n') } });
    }
    const fails = cases.filter((c) => c.failure).length;
    const errs = cases.filter((c) => c.error).length;
    const secs = cases.reduce((n, c) => n + c.seconds, 0);
    total += cases.length;
    failures += fails;
    errors += errs;
    seconds += secs;
    const body = cases.map((c) => {
      const head = `    <testcase name="${xmlEscape(c.name)}" classname="${xmlEscape(c.classname)}" time="${c.seconds.toFixed(3)}"`;
      if (c.failure) return `${head}>\n      <failure message="${xmlEscape(c.failure.message)}">${xmlEscape(c.failure.details)}</failure>\n    </testcase>`;
      if (c.error) return `${head}>\n      <error message="${xmlEscape(c.error.message)}">${xmlEscape(c.error.details)}</error>\n    </testcase>`;
      return `${head}/>`;
    });
    suites.push(`  <testsuite name="${xmlEscape(f.path)}" tests="${cases.length}" failures="${fails}" errors="${errs}" time="${secs.toFixed(3)}">\n${body.join('\n')}\n  </testsuite>`);
  }
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="peregrine test" tests="${total}" failures="${failures}" errors="${errors}" time="${seconds.toFixed(3)}">\n${suites.join('\n')}\n</testsuites>\n`;
}
