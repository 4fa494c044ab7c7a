// The cast shared by the generated samples: a Kubernetes node's containers and host processes.

import { container, pts } from './dsl.mjs';

export const T0 = 1732662000000000000n; // 2024-11-26T23:00:00Z

export const SHOP = container({ name: 'php-fpm', image: 'docker.io/library/php:8.2-fpm', pod: 'shop-frontend-6f7d9c8b5-x2x9q', ns: 'shop' });
export const API = container({ name: 'api', image: 'registry.example.com/payments/api:2.14.1', pod: 'payments-api-5c9f8d7b6-kq4zt', ns: 'payments' });
export const WEB = container({ name: 'nginx', image: 'docker.io/library/nginx:1.27', pod: 'web-7b8c9d6f5-m8wl2', ns: 'web' });
export const NODEAPP = container({ name: 'storefront', image: 'registry.example.com/shop/storefront:5.3.0', pod: 'storefront-84d6c7b9f-2hrsv', ns: 'shop' });
export const ALPINE = container({ name: 'toolbox', image: 'docker.io/library/alpine:3.20', pod: 'toolbox-5d8f7c6b4-qq7np', ns: 'default' });
export const WORKER = container({ name: 'worker', image: 'registry.example.com/data/worker:1.9.2', pod: 'data-worker-6b5c4d8f7-vx2lp', ns: 'data' });
export const COREDNS = container({ name: 'coredns', image: 'registry.k8s.io/coredns/coredns:v1.11.1', pod: 'coredns-76f75df574-8zqnp', ns: 'kube-system', qos: 'burstable' });
export const KANIKO = container({ name: 'build', image: 'gcr.io/kaniko-project/executor:v1.23.0', pod: 'build-api-28841-fxk2m', ns: 'ci' });
export const PRIV = container({ name: 'node-agent', image: 'registry.example.com/ops/node-agent:0.4.0', pod: 'node-agent-lw9xk', ns: 'ops' });
export const REDIS = container({ name: 'redis', image: 'docker.io/library/redis:7.2', pod: 'redis-0', ns: 'shop' });
export const CHROME = container({ name: 'renderer', image: 'ghcr.io/puppeteer/puppeteer:22.6.0', pod: 'pdf-renderer-7c6d5b4f8-j4k2n', ns: 'docs' });
export const CSI = container({ name: 'ebs-plugin', image: 'public.ecr.aws/ebs-csi-driver/aws-ebs-csi-driver:v1.31.0', pod: 'ebs-csi-node-x7k2p', ns: 'kube-system' });
export const PG = container({ name: 'postgres', image: 'docker.io/library/postgres:16.3', pod: 'postgres-0', ns: 'shop' });

/** The containerd shim: the runtime side that starts a container's processes and exec sessions. */
export function shim(s, pid = 2211) {
  return s.host(pid, 'containerd-shim', { unit: 'containerd.service' });
}

/** A container's first process (pid 1 of its pid namespace), started by the runtime. */
export function startContainer(s, ctr, pid, exe, argv, o = {}) {
  return shim(s).spawn(pid, exe, argv, { ctr, vpid: 1, ...o });
}

/** `kubectl exec [-it]`: a process the runtime starts in a running container. */
export function kubectlExec(s, ctr, pid, exe, argv, o = {}) {
  return shim(s).spawn(pid, exe, argv, { ctr, ...o });
}

/** An SSH login on the host: sshd's session process and the user's login shell. */
export function sshLogin(s, { user = 'alice', uid = 1000, pid = 4100, session = 4 } = {}) {
  const sshd = s.host(880, 'sshd', { unit: 'ssh.service' });
  const priv = sshd.fork(pid - 10);
  const home = uid === 0 ? '/root' : `/home/${user}`;
  return priv.spawn(pid, '/bin/bash', ['-bash'], {
    comm: 'bash', uid, gid: uid, loginuid: uid, tty: pts(0), cwd: home, cgroup: `/user.slice/user-${uid}.slice/session-${session}.scope`,
  });
}

/** `sudo -i` from a login shell: a root shell that keeps the user's login uid. */
export function sudoRootShell(s, userShell, sudoPid) {
  const sudo = userShell.spawn(sudoPid, '/usr/bin/sudo', ['sudo', '-i']);
  sudo.setresuid(0, 0, 0, { uidAfter: 0 });
  return sudo.spawn(sudoPid + 1, '/bin/bash', ['-bash'], { comm: 'bash', uid: 0, gid: 0, cwd: '/root' });
}
