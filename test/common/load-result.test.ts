// Load results: every Falco error and warning code with its description, Falco's JSON shape, and
// the human text form.
import { describe, expect, it } from 'vitest';
import {
  ERROR_CODES, WARNING_CODES, LoadResult, formatLoadResults, formatProblem, loadResultsJson, summaryLine, type LoadProblem,
} from '../../src/common/load-result.js';

const problem = (severity: 'error' | 'warning', code: LoadProblem['code']): LoadProblem => ({
  severity, code, message: 'something is wrong',
  locations: [
    { itemType: 'rules content', itemName: '', name: 'r.yaml', position: { offset: 0, line: 1, column: 1 } },
    { itemType: 'rule', itemName: 'My rule', name: 'r.yaml', position: { offset: 10, line: 2, column: 3 } },
    { itemType: 'rule condition', itemName: '', name: 'r.yaml', position: { offset: 40, line: 4, column: 14 } },
    { itemType: 'condition expression', itemName: '', name: '"evt.type = open"', position: { offset: 5, line: 1, column: 6 } },
  ],
  snippet: 'evt.type = open\n     ^',
  at: { file: 'r.yaml', position: { offset: 40, line: 4, column: 14 }, snippet: '  condition: evt.type = open\n             ^' },
});

describe('codes', () => {
  it('every error code of Falco\'s load_result, with its description', () => {
    expect(Object.keys(ERROR_CODES)).toEqual([
      'LOAD_ERR_FILE_READ', 'LOAD_ERR_YAML_PARSE', 'LOAD_ERR_YAML_VALIDATE', 'LOAD_ERR_COMPILE_CONDITION', 'LOAD_ERR_COMPILE_OUTPUT',
      'LOAD_ERR_VALIDATE', 'LOAD_ERR_EXTENSION',
    ]);
    expect(ERROR_CODES.LOAD_ERR_COMPILE_CONDITION).toBe('Error compiling condition');
  });

  it('every warning code', () => {
    expect(Object.keys(WARNING_CODES)).toEqual([
      'LOAD_UNKNOWN_SOURCE', 'LOAD_UNSAFE_NA_CHECK', 'LOAD_NO_EVTTYPE', 'LOAD_UNKNOWN_FILTER', 'LOAD_UNUSED_MACRO', 'LOAD_UNUSED_LIST',
      'LOAD_UNKNOWN_ITEM', 'LOAD_DEPRECATED_ITEM', 'LOAD_WARNING_EXTENSION', 'LOAD_APPEND_NO_VALUES', 'LOAD_EXCEPTION_NAME_NOT_UNIQUE',
      'LOAD_INVALID_MACRO_NAME', 'LOAD_INVALID_LIST_NAME', 'LOAD_COMPILE_CONDITION', 'LOAD_UNKNOWN_KEY',
    ]);
  });
});

describe('LoadResult', () => {
  it('is successful until an error is added', () => {
    const r = new LoadResult('r.yaml');
    r.add(problem('warning', 'LOAD_UNUSED_MACRO'));
    expect(r.successful).toBe(true);
    r.add(problem('error', 'LOAD_ERR_VALIDATE'));
    expect(r.successful).toBe(false);
    expect(summaryLine(r)).toBe('r.yaml: Invalid (1 error, 1 warning)');
  });

  it('JSON in Falco\'s shape', () => {
    const r = new LoadResult('r.yaml');
    r.add(problem('error', 'LOAD_ERR_COMPILE_CONDITION'));
    expect(loadResultsJson([r])).toEqual({
      falco_load_results: [{
        name: 'r.yaml',
        successful: false,
        errors: [{
          code: 'LOAD_ERR_COMPILE_CONDITION',
          codedesc: 'Error compiling condition',
          message: 'something is wrong',
          context: {
            locations: [
              { item_type: 'rules content', item_name: '', position: { name: 'r.yaml', line: 1, column: 1, offset: 0 } },
              { item_type: 'rule', item_name: 'My rule', position: { name: 'r.yaml', line: 2, column: 3, offset: 10 } },
              { item_type: 'rule condition', item_name: '', position: { name: 'r.yaml', line: 4, column: 14, offset: 40 } },
              { item_type: 'condition expression', item_name: '', position: { name: '"evt.type = open"', line: 1, column: 6, offset: 5 } },
            ],
            snippet: 'evt.type = open\n     ^',
          },
        }],
        warnings: [],
      }],
    });
  });

  it('text: headline at the file position, the enclosing items, both snippets', () => {
    expect(formatProblem(problem('error', 'LOAD_ERR_COMPILE_CONDITION'))).toBe([
      'r.yaml:4:14: error LOAD_ERR_COMPILE_CONDITION: something is wrong',
      "  in rule 'My rule' (r.yaml:2:3)",
      '    |   condition: evt.type = open',
      '    |              ^',
      '  condition expression "evt.type = open", at 1:6:',
      '    | evt.type = open',
      '    |      ^',
    ].join('\n'));
  });

  it('text for several results, warnings optional', () => {
    const r = new LoadResult('r.yaml');
    r.add(problem('warning', 'LOAD_UNUSED_MACRO'));
    expect(formatLoadResults([r])).toContain('warning LOAD_UNUSED_MACRO');
    expect(formatLoadResults([r], { warnings: false })).toBe('');
    expect(summaryLine(r)).toBe('r.yaml: Ok, with 1 warning');
  });
});
