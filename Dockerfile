# syntax=docker/dockerfile:1
# Peregrine image: the engine, the eBPF sensor (bpftrace and its libraries) and nothing else — no
# shell, no package manager, no setuid programs.
#
#   build     node + dev dependencies: npm ci, npm run build, npm prune --omit=dev
#   assemble  the same Debian bookworm base, bpftrace installed with apt, the app copied in, then
#             shells, package managers (apt, dpkg, npm, corepack, yarn), perl and setuid programs
#             deleted. bpftrace cannot live in a distroless image: it is built against Debian's LLVM,
#             clang and libbpf, so the runtime is this Debian file system with the tools removed.
#   runtime   FROM scratch + the assembled file system as one layer: no RUN can happen here (there is
#             no shell), and nothing removed above survives in a lower layer.
#
# One base image, pinned by digest, serves both build and runtime, so the node binary matches the
# glibc it runs on. Refresh the digest deliberately (Renovate/Dependabot can), e.g.:
#   docker buildx imagetools inspect node:20-bookworm-slim --format '{{json .Manifest.Digest}}'
#
# The image runs as uid 65532 by default: replay, stdin, NATS and Kubernetes-audit sources need no
# privileges. The live eBPF sensor needs uid 0 and CAP_SYS_ADMIN (bpftrace 0.17 refuses other users
# and needs SYS_ADMIN to find the kernel's BTF); deploy/daemonset.yaml grants exactly that.

ARG NODE_IMAGE=node:20-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0

FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build \
 && npm prune --omit=dev --no-audit --no-fund \
 && mkdir -p rules

FROM ${NODE_IMAGE} AS assemble
ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends bpftrace ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /opt/peregrine
COPY --from=build /src/package.json ./
COPY --from=build /src/node_modules ./node_modules
COPY --from=build /src/dist ./dist
COPY --from=build /src/sensor ./sensor
COPY --from=build /src/schema ./schema
COPY --from=build /src/rules ./rules
# The last RUN: after it there is no shell to run another.
RUN echo 'nonroot:x:65532:65532:nonroot:/nonexistent:/usr/sbin/nologin' >> /etc/passwd \
 && echo 'nonroot:x:65532:' >> /etc/group \
 && find / -xdev -type f -perm /6000 -exec rm -f {} + \
 && rm -rf /usr/local/lib/node_modules/npm /usr/local/lib/node_modules/corepack \
           /usr/local/bin/npm /usr/local/bin/npx /usr/local/bin/corepack /usr/local/bin/yarn /usr/local/bin/yarnpkg /opt/yarn-* \
 && rm -rf /etc/apt /var/lib/apt /var/cache/apt /var/log/apt /usr/lib/apt /usr/bin/apt /usr/bin/apt-* \
           /etc/dpkg /var/lib/dpkg /usr/share/dpkg /usr/lib/dpkg /usr/bin/dpkg /usr/bin/dpkg-* /var/log/dpkg.log \
           /usr/bin/perl /usr/bin/perl5* /usr/lib/*/perl-base /usr/share/perl5 \
           /usr/share/doc /usr/share/man /usr/share/info \
 && rm -f /usr/bin/sh /usr/bin/dash /usr/bin/bash /usr/bin/rbash /bin/sh /bin/dash /bin/bash /bin/rbash

FROM scratch AS runtime
COPY --from=assemble / /
# V8's heap sizing, pinned rather than derived from the machine's memory: on a large host V8 lets
# the old space grow to several times the live heap (up to 4 GB) and keeps 2 × 16 MB semi-spaces,
# so RSS climbs for minutes before it levels off (README 'Memory'). These values keep a node's
# typical state (~25 MB live) under 200 MB RSS; raise --max-old-space-size (in the pod's env, which
# replaces this one) for nodes with very large process or fd tables, within the memory limit.
ENV NODE_ENV=production \
    NODE_OPTIONS="--max-old-space-size=512 --max-semi-space-size=8" \
    PATH=/usr/local/bin:/usr/bin:/usr/sbin
WORKDIR /opt/peregrine
USER 65532:65532
EXPOSE 8765
HEALTHCHECK CMD ["/usr/local/bin/node", "-e", "fetch('http://127.0.0.1:8765/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
ENTRYPOINT ["/usr/local/bin/node", "/opt/peregrine/dist/cli/main.js"]
CMD ["--help"]
