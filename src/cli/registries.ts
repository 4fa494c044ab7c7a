// The field registries of the built-in event sources, created once per process.

import { FieldRegistry } from '../fields/registry.js';
import { syscallFields } from '../fields/syscall.js';

let registries: FieldRegistry[] | undefined;

export function allRegistries(): FieldRegistry[] {
  registries ??= [syscallFields()];
  return registries;
}

export function registryFor(source: string): FieldRegistry | undefined {
  return allRegistries().find((r) => r.source === source);
}
