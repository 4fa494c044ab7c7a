// Container metadata as decoders receive it (a runtime-prefixed id, an image reference, pod info),
// turned into the Container model. Identity from cgroup paths is the state stage's job; a decoder
// that knows metadata but not the id leaves `id` empty for the state stage to fill from cgroups.

import type { Container, K8sPod } from '../event/types.js';

export type MutableContainer = { -readonly [K in keyof Container]: Container[K] };

/** "containerd://<64hex>", "docker://…", "cri-o://…" → the bare id and the runtime. */
export function splitRuntimeId(id: string): { id: string; runtime: string | undefined } {
  const sep = id.indexOf('://');
  if (sep < 0) return { id, runtime: undefined };
  const runtime = id.slice(0, sep);
  return { id: id.slice(sep + 3), runtime: runtime === 'cri-o' ? 'cri-o' : runtime };
}

/**
 * "registry:5000/ns/img:tag@sha256:…" → repository "registry:5000/ns/img", tag "tag", digest
 * "sha256:…". A colon before the last '/' belongs to the registry host, not a tag.
 */
export function splitImage(image: string): { repository: string; tag: string | undefined; digest: string | undefined } {
  let rest = image;
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) return { repository: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  return { repository: rest, tag: undefined, digest };
}

export interface ContainerInput {
  id?: string | undefined;
  name?: string | undefined;
  image?: string | undefined;
  imageId?: string | undefined;
  imageDigest?: string | undefined;
  imageRepository?: string | undefined;
  imageTag?: string | undefined;
  type?: string | undefined;
  privileged?: boolean | undefined;
  startTs?: string | undefined;
  ip?: string | undefined;
  labels?: Record<string, string> | undefined;
  k8s?: K8sPod | undefined;
}

const HEX64 = /^[0-9a-f]{64}$/;

/** A Container from decoder-side metadata; `id` may be a runtime-prefixed full id. */
export function makeContainer(input: ContainerInput): MutableContainer {
  let id = input.id ?? '';
  let type = input.type;
  let fullId: string | undefined;
  if (id !== '') {
    const split = splitRuntimeId(id);
    id = split.id;
    type ??= split.runtime;
    if (id === 'host') {
      fullId = 'host';
    } else {
      if (HEX64.test(id)) fullId = id;
      id = id.slice(0, 12);
    }
  }
  const c: MutableContainer = { id, fullId, type };
  if (input.name !== undefined && input.name !== '') c.name = input.name;
  if (input.image !== undefined && input.image !== '') {
    c.image = input.image;
    const parts = splitImage(input.image);
    c.imageRepository = input.imageRepository ?? parts.repository;
    c.imageTag = input.imageTag ?? parts.tag;
    c.imageDigest = input.imageDigest ?? parts.digest;
  } else {
    if (input.imageRepository !== undefined) c.imageRepository = input.imageRepository;
    if (input.imageTag !== undefined) c.imageTag = input.imageTag;
    if (input.imageDigest !== undefined) c.imageDigest = input.imageDigest;
  }
  if (input.imageId !== undefined && input.imageId !== '') {
    c.imageId = input.imageId;
    if (c.imageDigest === undefined) {
      const at = input.imageId.indexOf('@');
      if (at >= 0) c.imageDigest = input.imageId.slice(at + 1);
    }
  }
  if (input.privileged !== undefined) c.privileged = input.privileged;
  if (input.startTs !== undefined) c.startTs = input.startTs;
  if (input.ip !== undefined && input.ip !== '') c.ip = input.ip;
  if (input.labels !== undefined) c.labels = input.labels;
  if (input.k8s !== undefined) c.k8s = input.k8s;
  return c;
}

/** Keeps only string values of a labels object. */
export function stringMap(v: unknown): Record<string, string> | undefined {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  let any = false;
  for (const [k, val] of Object.entries(v as Record<string, unknown>)) {
    if (typeof val === 'string') {
      out[k] = val;
      any = true;
    }
  }
  return any ? out : undefined;
}
