// The field registries of the built-in event sources, created once per process.

import { FieldRegistry } from '../fields/registry.js';
import { syscallFields } from '../fields/syscall.js';
import { k8sAuditFields } from '../fields/k8saudit.js';

let registries: FieldRegistry[] | undefined;

export function allRegistries(): FieldRegistry[] {
  registries ??= [syscallFields(), k8sAuditFields()];
  return registries;
}

export function registryFor(source: string): FieldRegistry | undefined {
  return allRegistries().find((r) => r.source === source);
}
