// Condition compiler – list fields (EPF_IS_LIST, e.g. ka.req.pod.containers.image, fd.types): `in`
// needs every value in the set, `intersects` any value, `exists` at least one value, and every other
// operator is a compile error, as in libsinsp (flt_is_comparable / compare_rhs).
import { describe, expect, it } from 'vitest';
import { compileCondition } from '../../src/condition/compile.js';
import { parseCondition } from '../../src/condition/parse.js';
import { ConditionCompileError } from '../../src/common/errors.js';
import { newK8sAuditEvent } from '../../src/event/types.js';
import { k8sAuditFields } from '../../src/fields/k8saudit.js';
import { syscallFields } from '../../src/fields/syscall.js';

const reg = k8sAuditFields();
const images = (...list: string[]) => newK8sAuditEvent(
  { auditID: 'x', requestObject: { spec: { containers: list.map((image) => ({ image })) } } }, '1', 1);

function holds(condition: string, ev: ReturnType<typeof images>): boolean {
  return compileCondition(parseCondition(condition), reg).test(ev as never);
}

describe('list fields', () => {
  it('`in` holds only when every extracted value is in the set', () => {
    expect(holds('ka.req.pod.containers.image in (a, b)', images('a', 'b'))).toBe(true);
    expect(holds('ka.req.pod.containers.image in (a, b)', images('a'))).toBe(true);
    expect(holds('ka.req.pod.containers.image in (a, b)', images('a', 'c'))).toBe(false);
    expect(holds('not ka.req.pod.containers.image in (a, b)', images('a', 'c'))).toBe(true);
  });

  it('`intersects` holds when any extracted value is in the set', () => {
    expect(holds('ka.req.pod.containers.image intersects (a, b)', images('c', 'b'))).toBe(true);
    expect(holds('ka.req.pod.containers.image intersects (a, b)', images('c', 'd'))).toBe(false);
  });

  it('an empty or absent list is unavailable: `in`, `intersects` and `exists` are all false', () => {
    for (const ev of [images(), newK8sAuditEvent({ auditID: 'x' }, '1', 1)]) {
      expect(holds('ka.req.pod.containers.image in (a)', ev)).toBe(false);
      expect(holds('ka.req.pod.containers.image intersects (a)', ev)).toBe(false);
      expect(holds('ka.req.pod.containers.image exists', ev)).toBe(false);
      expect(holds('ka.req.pod.containers.image in ()', ev)).toBe(false);
    }
    expect(holds('ka.req.pod.containers.image exists', images('a'))).toBe(true);
  });

  it('len() turns a list into its element count', () => {
    expect(holds('len(ka.req.pod.containers.image) = 2', images('a', 'b'))).toBe(true);
    expect(holds('len(ka.req.pod.containers.image) > 2', images('a', 'b'))).toBe(false);
  });

  it.each([
    'ka.req.pod.containers.image = nginx',
    'ka.req.pod.containers.image != nginx',
    'ka.req.pod.containers.image contains nginx',
    'ka.req.pod.containers.image startswith nginx',
    'ka.req.pod.containers.image[0] = nginx',
    'ka.req.pod.containers.image pmatch (/a)',
    'ka.req.pod.containers.image glob nginx*',
    'ka.req.pod.containers.image = anyof (a, b)',
    'tolower(ka.req.pod.containers.image) = nginx',
    'ka.req.pod.containers.image = val(ka.req.pod.initContainers.image)',
  ])('rejects a non-set operator on a list field: %s', (condition) => {
    expect(() => compileCondition(parseCondition(condition), reg)).toThrow(ConditionCompileError);
    expect(() => compileCondition(parseCondition(condition), reg)).toThrow(/operator not supported list filters/);
  });

  it('applies to syscall list fields too (fd.types)', () => {
    const sys = syscallFields({ hostname: 'h' });
    expect(() => compileCondition(parseCondition('fd.types[0] in (ipv4, ipv6)'), sys)).not.toThrow();
    expect(() => compileCondition(parseCondition('fd.types contains ipv4'), sys)).toThrow(/list filters/);
  });

  it('field-to-field set membership between lists still works', () => {
    const ev = newK8sAuditEvent({ auditID: 'x', requestObject: { spec: {
      containers: [{ image: 'a' }], initContainers: [{ image: 'a' }, { image: 'b' }],
    } } }, '1', 1);
    expect(holds('ka.req.pod.containers.image in val(ka.req.pod.initContainers.image)', ev)).toBe(true);
    expect(holds('ka.req.pod.initContainers.image in val(ka.req.pod.containers.image)', ev)).toBe(false);
    expect(holds('ka.req.pod.initContainers.image intersects val(ka.req.pod.containers.image)', ev)).toBe(true);
  });
});
