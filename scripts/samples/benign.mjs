// Everyday activity that no default rule at WARNING or above may fire on: a Debian server's
// routine (package updates, cron, log rotation, logins, sudo, certificates, backups), a Kubernetes
// node (pods starting, serving, probed, talking to their databases; controllers; the kubelet and
// the runtime) and a build host (git, compilers, go, cargo, npm, image builds).

import { APPEND, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CREATE, O, READ, RDWR, SampleFile, TRUNCATE, pts } from './dsl.mjs';
import { COREDNS, CHROME, NODEAPP, PG, T0, WEB, WORKER, kubectlExec, shim, sshLogin, startContainer } from './common.mjs';

const PY = '/usr/bin/python3';
const NODE = '/usr/local/bin/node';

function hostAdmin() {
  const f = new SampleFile('benign-host-admin.jsonl', T0 + 3_600_000_000_000n);
  f.block('apt daily upgrade: apt-get update, unattended-upgrade, dpkg, ldconfig, python bytecode', (s) => {
    const systemd = s.host(1, 'systemd', { cgroup: '/init.scope' });
    const upd = systemd.spawn(9001, '/usr/bin/apt-get', ['apt-get', '-qq', 'update'], { cgroup: '/system.slice/apt-daily.service' });
    upd.writeFile('/var/lib/apt/lists/partial/deb.debian.org_debian_dists_bookworm_InRelease', CREATE);
    const http = upd.spawn(9002, '/usr/lib/apt/methods/http', ['/usr/lib/apt/methods/http'], { comm: 'http' });
    http.dial('151.101.2.132', 80);
    const uu = systemd.spawn(9010, PY, [PY, '/usr/bin/unattended-upgrade'], { comm: 'unattended-upgr', cgroup: '/system.slice/apt-daily-upgrade.service' });
    uu.writeFile('/var/log/unattended-upgrades/unattended-upgrades.log', APPEND);
    uu.writeFile('/usr/lib/python3/dist-packages/apt/__pycache__/cache.cpython-311.pyc', O.WRONLY | O.CREAT | O.EXCL);
    const dpkg = uu.spawn(9011, '/usr/bin/dpkg', ['/usr/bin/dpkg', '--status-fd', '10', '--unpack', '--auto-deconfigure', '/var/cache/apt/archives/libssl3_3.0.15-1_amd64.deb']);
    dpkg.writeFile('/usr/lib/x86_64-linux-gnu/libssl.so.3.dpkg-new', CREATE);
    dpkg.rename('/usr/lib/x86_64-linux-gnu/libssl.so.3.dpkg-new', '/usr/lib/x86_64-linux-gnu/libssl.so.3');
    dpkg.writeFile('/etc/ssl/openssl.cnf.dpkg-new', CREATE);
    dpkg.writeFile('/var/lib/dpkg/status-new', CREATE);
    const ldc = dpkg.spawn(9012, '/sbin/ldconfig', ['/sbin/ldconfig'], { comm: 'ldconfig' });
    ldc.writeFile('/etc/ld.so.cache~', CREATE);
    ldc.rename('/etc/ld.so.cache~', '/etc/ld.so.cache');
  });
  f.block('cron: logrotate rotating, compressing and removing logs; rsyslog reopening', (s) => {
    const cron = s.host(610, 'cron');
    const job = cron.fork(9101);
    const sh = job.exec('/bin/sh', ['/bin/sh', '-c', 'test -x /usr/sbin/logrotate && /usr/sbin/logrotate /etc/logrotate.conf'], { comm: 'sh' });
    const lr = sh.spawn(9102, '/usr/sbin/logrotate', ['/usr/sbin/logrotate', '/etc/logrotate.conf']);
    lr.cat('/etc/logrotate.conf');
    lr.rename('/var/log/syslog', '/var/log/syslog.1');
    lr.writeFile('/var/log/syslog', O.WRONLY | O.CREAT | O.EXCL);
    const gz = lr.spawn(9103, '/bin/gzip', ['/bin/gzip', '/var/log/syslog.2']);
    gz.cat('/var/log/syslog.2');
    gz.writeFile('/var/log/syslog.2.gz', O.WRONLY | O.CREAT | O.EXCL);
    gz.unlink('/var/log/syslog.2');
    lr.unlink('/var/log/syslog.7.gz');
    const fd = lr.open('/var/log/nginx/access.log', O.WRONLY | O.TRUNC);
    lr.ftruncate(fd, 0);
    lr.writeFile('/var/lib/logrotate/status.tmp', CREATE);
    const rs = s.host(620, 'rsyslogd', { unit: 'rsyslog.service' });
    rs.writeFile('/var/log/syslog', APPEND);
    rs.writeFile('/var/log/auth.log', APPEND);
  });
  f.block('an SSH login: sudo systemctl, git over ssh, vim, a shell saving its history on exit', (s) => {
    const sshd = s.host(880, 'sshd', { unit: 'ssh.service' });
    sshd.cat('/etc/ssh/ssh_host_ed25519_key');
    sshd.cat('/etc/shadow');
    const bash = sshLogin(s, { pid: 9200 });
    bash.cat('/home/alice/.bashrc');
    const sudo = bash.spawn(9201, '/usr/bin/sudo', ['sudo', 'systemctl', 'reload', 'nginx']);
    sudo.cat('/etc/sudoers');
    sudo.cat('/etc/sudoers.d/README');
    sudo.spawn(9202, '/usr/sbin/unix_chkpwd', ['/usr/sbin/unix_chkpwd', 'alice', 'chkexpiry']).cat('/etc/shadow');
    sudo.setresuid(0, 0, 0, { uidAfter: 0 });
    sudo.spawn(9203, '/usr/bin/systemctl', ['systemctl', 'reload', 'nginx']);
    const git = bash.spawn(9210, '/usr/bin/git', ['git', 'pull'], { cwd: '/home/alice/infra' });
    const ssh = git.spawn(9211, '/usr/bin/ssh', ['ssh', 'git@github.com', "git-upload-pack 'acme/infra.git'"]);
    ssh.cat('/home/alice/.ssh/id_ed25519');
    ssh.cat('/home/alice/.ssh/known_hosts');
    ssh.dial('140.82.121.4', 22);
    git.writeFile('/home/alice/infra/.git/FETCH_HEAD', TRUNCATE);
    const vim = bash.spawn(9220, '/usr/bin/vim.basic', ['vim', 'notes.md'], { comm: 'vim' });
    vim.writeFile('/home/alice/.viminfo.tmp', CREATE);
    vim.writeFile('/home/alice/notes.md', TRUNCATE);
    bash.writeFile('/home/alice/.bash_history', O.WRONLY | O.CREAT | O.TRUNC);
    bash.exit(0);
  });
  f.block('certbot renewal, dhclient lease renewal, the journal, a backup to S3 with the aws CLI', (s) => {
    const systemd = s.host(1, 'systemd', { cgroup: '/init.scope' });
    const certbot = systemd.spawn(9301, PY, [PY, '/usr/bin/certbot', '-q', 'renew'], { comm: 'certbot', cgroup: '/system.slice/certbot.service' });
    certbot.dial('172.65.32.248', 443);
    certbot.writeFile('/etc/letsencrypt/archive/shop.example.com/privkey3.pem', CREATE);
    certbot.writeFile('/var/log/letsencrypt/letsencrypt.log', APPEND);
    const nm = s.host(700, 'NetworkManager');
    const dh = nm.spawn(9310, '/sbin/dhclient', ['/sbin/dhclient', '-d', '-q', 'eth0'], { comm: 'dhclient' });
    dh.writeFile('/etc/resolv.conf', TRUNCATE);
    const jd = s.host(300, 'systemd-journald');
    const jfd = jd.open('/var/log/journal/4a1c2f/system.journal', RDWR);
    jd.ftruncate(jfd, 16777216);
    const cron = s.host(610, 'cron');
    const job = cron.fork(9320);
    const backup = job.exec('/bin/sh', ['/bin/sh', '-c', '/usr/local/sbin/backup.sh'], { comm: 'sh' });
    const script = backup.spawn(9321, '/bin/bash', ['/bin/bash', '/usr/local/sbin/backup.sh'], { comm: 'backup.sh' });
    const tar = script.spawn(9322, '/bin/tar', ['tar', 'czf', '/srv/backup/www.tgz', '/var/www']);
    tar.cat('/var/www/html/index.html');
    tar.writeFile('/srv/backup/www.tgz', TRUNCATE);
    const aws = script.spawn(9323, '/usr/local/bin/aws', ['/usr/local/bin/aws', 's3', 'sync', '/srv/backup', 's3://acme-backups/www'], { comm: 'aws' });
    aws.cat('/root/.aws/credentials');
    aws.dial('52.216.8.123', 443);
  });
  f.block('the host web server: accepting, serving files, logging; DNS', (s) => {
    const nginx = s.host(650, 'nginx');
    const w = nginx.fork(9401, { uid: 33 });
    const lfd = 6;
    for (let i = 0; i < 3; i++) {
      const c = w.accept(lfd, `198.51.100.${20 + i}`, 51000 + i, '192.168.10.21', 443);
      w.cat(i === 1 ? '/var/www/html/assets/app.css' : '/var/www/html/index.html');
      w.writeFile('/var/log/nginx/access.log', APPEND);
      w.close(c);
    }
    const resolved = s.host(500, 'systemd-resolve', { unit: 'systemd-resolved.service' });
    resolved.dial('1.1.1.1', 53);
  });
  f.block('modules loaded by the kernel, udev and dockerd at start-up', (s) => {
    const kthreadd = s.proc(2, 'kthreadd');
    const mp = kthreadd.spawn(9501, '/sbin/modprobe', ['/sbin/modprobe', '-q', '--', 'fs-overlay'], { comm: 'modprobe' });
    mp.finitModule(mp.open('/lib/modules/6.1.0-18-amd64/kernel/fs/overlayfs/overlay.ko', READ));
    const udev = s.host(400, 'systemd-udevd');
    const uw = udev.fork(9502);
    uw.finitModule(uw.open('/lib/modules/6.1.0-18-amd64/kernel/drivers/char/hw_random/virtio-rng.ko', READ));
    const dockerd = s.host(800, 'dockerd', { unit: 'docker.service' });
    const mp2 = dockerd.spawn(9503, '/sbin/modprobe', ['modprobe', 'br_netfilter'], { comm: 'modprobe' });
    mp2.finitModule(mp2.open('/lib/modules/6.1.0-18-amd64/kernel/net/bridge/br_netfilter.ko', READ));
  });
  return f;
}

function k8sNode() {
  const f = new SampleFile('benign-k8s-node.jsonl', T0 + 7_200_000_000_000n);
  f.block('runc starting a container: its memfd copy, namespaces and mounts', (s) => {
    const sh = shim(s);
    const runc = sh.spawn(20001, '/usr/bin/runc', ['runc', '--root', '/run/containerd/runc/k8s.io', 'create', '--bundle', '/run/containerd/io.containerd.runtime.v2.task/k8s.io/c0ffee']);
    const init = runc.spawn(20002, '/memfd:runc_cloned:/proc/self/exe (deleted)', ['runc', 'init'], { memfd: true, comm: 'runc:[2:INIT]', ctr: WEB });
    init.setns(4, CLONE_NEWNS);
    init.mount('proc', '/proc', 'proc');
    init.mount('tmpfs', '/dev', 'tmpfs');
    init.mount('/var/lib/kubelet/pods/7d1e/volumes/kubernetes.io~projected/kube-api-access-9x8q2', '/var/run/secrets/kubernetes.io/serviceaccount', 'none', 4096);
  });
  f.block('nginx pod start: entrypoint scripts configure /etc/nginx, then nginx serves and logs', (s) => {
    const ep = startContainer(s, WEB, 20101, '/bin/sh', ['/bin/sh', '/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'], { comm: 'docker-entrypoi' });
    const find = ep.spawn(20102, '/usr/bin/find', ['find', '/docker-entrypoint.d/', '-mindepth', '1', '-maxdepth', '1', '-type', 'f', '-print', '-quit']);
    find.cat('/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh');
    const ipv6 = ep.spawn(20103, '/bin/sh', ['/bin/sh', '/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh'], { comm: '10-listen-on-ip' });
    const sed = ipv6.spawn(20104, '/bin/sed', ['sed', '-i', '-E', 's,listen       80;,listen       80;\\n    listen  [::]:80;,', '/etc/nginx/conf.d/default.conf']);
    sed.writeFile('/etc/nginx/conf.d/sedX2h4kq', CREATE);
    sed.rename('/etc/nginx/conf.d/sedX2h4kq', '/etc/nginx/conf.d/default.conf');
    const tpl = ep.spawn(20105, '/bin/sh', ['/bin/sh', '/docker-entrypoint.d/20-envsubst-on-templates.sh'], { comm: '20-envsubst-on-' });
    const envsubst = tpl.spawn(20106, '/usr/bin/envsubst', ['envsubst', '${NGINX_PORT} ${BACKEND}']);
    envsubst.cat('/etc/nginx/templates/default.conf.template');
    envsubst.writeFile('/etc/nginx/conf.d/default.conf', TRUNCATE);
    const nginx = ep.exec('/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']);
    nginx.cat('/etc/nginx/nginx.conf');
    nginx.writeFile('/var/run/nginx.pid', TRUNCATE);
    const w = nginx.fork(20110, { uid: 101 });
    for (let i = 0; i < 3; i++) {
      const c = w.accept(6, `10.244.2.${30 + i}`, 42000 + i, '10.244.1.17', 80);
      w.cat('/usr/share/nginx/html/index.html');
      w.writeFile('/var/cache/nginx/proxy_temp/1/00/000000000' + i, RDWR);
      w.writeFile('/var/log/nginx/access.log', APPEND);
      w.close(c);
    }
  });
  f.block('liveness and readiness probes through the runtime (exec)', (s) => {
    for (let i = 0; i < 3; i++) {
      s.wait(10);
      const probe = kubectlExec(s, WEB, 20200 + i * 2, '/bin/sh', ['sh', '-c', 'curl -fsS http://127.0.0.1/healthz']);
      const curl = probe.spawn(20201 + i * 2, '/usr/bin/curl', ['curl', '-fsS', 'http://127.0.0.1/healthz']);
      curl.dial('127.0.0.1', 80);
    }
  });
  f.block('a Node.js storefront: npm start runs it through sh -c; it talks to postgres and redis', (s) => {
    const tini = startContainer(s, NODEAPP, 20301, '/sbin/tini', ['/sbin/tini', '--', 'npm', 'start'], { cwd: '/app', uid: 1000 });
    const npm = tini.spawn(20302, NODE, ['node', '/usr/local/bin/npm', 'start']);
    const sh = npm.spawn(20303, '/bin/sh', ['sh', '-c', 'node server.js']);
    const app = sh.spawn(20304, NODE, ['node', 'server.js']);
    app.cat('/app/package.json');
    app.cat('/app/views/index.ejs');
    app.dial('10.96.12.34', 5432);
    app.dial('10.96.40.2', 6379);
    app.writeFile('/tmp/sessions/sess_9f1c.json', CREATE);
  });
  f.block('postgres: the entrypoint drops to the postgres user with gosu and the server writes its data', (s) => {
    const ep = startContainer(s, PG, 20401, '/bin/bash', ['bash', '/usr/local/bin/docker-entrypoint.sh', 'postgres'], { comm: 'docker-entrypoi' });
    ep.spawn(20402, '/usr/bin/find', ['find', '/var/lib/postgresql/data', '!', '-user', 'postgres', '-exec', 'chown', 'postgres', '{}', '+']);
    const gosu = ep.exec('/usr/local/bin/gosu', ['gosu', 'postgres', '/usr/local/bin/docker-entrypoint.sh', 'postgres']);
    gosu.setuid(999, { uidAfter: 999 });
    const pg = gosu.exec('/usr/lib/postgresql/16/bin/postgres', ['postgres']);
    pg.writeFile('/var/run/postgresql/.s.PGSQL.5432.lock', CREATE);
    pg.writeFile('/var/lib/postgresql/data/pg_wal/000000010000000000000001', RDWR);
    const ckpt = pg.fork(20403);
    ckpt.writeFile('/var/lib/postgresql/data/base/16384/2619', RDWR);
  });
  f.block('coredns watching the API server; a controller reading its service-account token', (s) => {
    const dns = startContainer(s, COREDNS, 20501, '/coredns', ['/coredns', '-conf', '/etc/coredns/Corefile'], { uid: 65532 });
    dns.cat('/var/run/secrets/kubernetes.io/serviceaccount/token');
    dns.dial('10.96.0.1', 443);
    const ctl = startContainer(s, WORKER, 20601, '/usr/local/bin/worker', ['worker', '--queue', 'thumbnails'], { uid: 10001 });
    ctl.cat('/var/run/secrets/kubernetes.io/serviceaccount/token');
    ctl.dial('10.96.40.2', 6379);
    ctl.writeFile('/tmp/thumb-8812.webp', CREATE);
  });
  f.block('a PDF renderer: headless Chromium sandboxing its renderer processes', (s) => {
    const node = startContainer(s, CHROME, 20701, NODE, ['node', '/home/pptruser/render.js'], { uid: 999, cwd: '/home/pptruser' });
    const chrome = node.spawn(20702, '/usr/bin/chromium', ['/usr/bin/chromium', '--headless=new', '--no-first-run'], { comm: 'chromium' });
    chrome.fork(20703).unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET);
    chrome.writeFile('/tmp/puppeteer_dev_chrome_profile-Xz1/Default/Preferences', CREATE);
  });
  f.block('the kubelet: API server, pod log rotation, projected tokens; fluent-bit tailing container logs', (s) => {
    const kubelet = s.host(990, 'kubelet');
    kubelet.dial('192.168.10.5', 6443);
    kubelet.rename('/var/log/pods/web_web-7b8c9d6f5-m8wl2_7d1e/nginx/0.log', '/var/log/pods/web_web-7b8c9d6f5-m8wl2_7d1e/nginx/0.log.20241126-230000');
    kubelet.unlink('/var/log/pods/web_web-7b8c9d6f5-m8wl2_7d1e/nginx/0.log.20241119-230000.gz');
    kubelet.writeFile('/var/lib/kubelet/pods/7d1e/volumes/kubernetes.io~projected/kube-api-access-9x8q2/..2024_11_26_23_00_00.1/token', CREATE);
    const fb = s.host(21001, 'fluent-bit', { cgroup: '/kubepods.slice/fluent-bit.scope' });
    fb.cat('/var/log/containers/web-7b8c9d6f5-m8wl2_web_nginx-0a1b.log');
    fb.dial('10.96.80.9', 24224);
  });
  return f;
}

function buildHost() {
  const f = new SampleFile('benign-dev-build.jsonl', T0 + 10_800_000_000_000n);
  f.block('a CI job: git clone, make and the C toolchain, go build and go test', (s) => {
    const runner = s.host(3000, 'gitlab-runner', { uid: 998 });
    const sh = runner.spawn(30001, '/bin/bash', ['bash', '--login'], { cwd: '/home/gitlab-runner/builds/api' });
    const git = sh.spawn(30002, '/usr/bin/git', ['git', 'clone', 'https://gitlab.example.com/acme/api.git', '.']);
    git.dial('192.168.10.40', 443);
    git.writeFile('/home/gitlab-runner/builds/api/.git/config', CREATE);
    const make = sh.spawn(30003, '/usr/bin/make', ['make', '-j4']);
    const cc = make.spawn(30004, '/usr/bin/cc', ['cc', '-O2', '-c', 'src/main.c', '-o', 'build/main.o']);
    cc.spawn(30005, '/usr/lib/gcc/x86_64-linux-gnu/12/cc1', ['/usr/lib/gcc/x86_64-linux-gnu/12/cc1', '-quiet', 'src/main.c'], { comm: 'cc1' })
      .writeFile('/tmp/ccX8a2k1.s', CREATE);
    cc.spawn(30006, '/usr/bin/as', ['as', '-o', 'build/main.o', '/tmp/ccX8a2k1.s']).writeFile('/home/gitlab-runner/builds/api/build/main.o', TRUNCATE);
    make.spawn(30007, '/bin/sh', ['/bin/sh', '-c', 'cc -o build/api build/main.o -lssl']);
    const go = sh.spawn(30010, '/usr/local/go/bin/go', ['go', 'test', './...']);
    go.spawn(30011, '/usr/local/go/pkg/tool/linux_amd64/compile', ['compile', '-o', '/tmp/go-build1842/b001/_pkg_.a'], { comm: 'compile' })
      .writeFile('/tmp/go-build1842/b001/_pkg_.a', CREATE);
    go.spawn(30012, '/tmp/go-build1842/b001/api.test', ['/tmp/go-build1842/b001/api.test', '-test.timeout=10m0s']);
  });
  f.block('npm ci and a test run with pytest; a cargo install', (s) => {
    const runner = s.host(3000, 'gitlab-runner', { uid: 998 });
    const sh = runner.spawn(30101, '/bin/bash', ['bash', '--login'], { cwd: '/home/gitlab-runner/builds/web' });
    const npm = sh.spawn(30102, NODE, ['node', '/usr/local/bin/npm', 'ci']);
    npm.dial('104.16.2.35', 443);
    npm.writeFile('/home/gitlab-runner/builds/web/node_modules/.package-lock.json', CREATE);
    npm.spawn(30103, '/bin/sh', ['sh', '-c', 'node-gyp rebuild']);
    const py = sh.spawn(30104, PY, ['python3', '-m', 'pytest', '-q']);
    py.writeFile('/home/gitlab-runner/builds/web/tests/__pycache__/test_api.cpython-311-pytest-8.2.0.pyc', O.WRONLY | O.CREAT | O.EXCL);
    const cargo = sh.spawn(30105, '/home/gitlab-runner/.cargo/bin/cargo', ['cargo', 'install', 'cargo-audit']);
    cargo.spawn(30106, '/tmp/cargo-installa8Zk2P/release/build/libc-3f2a/build-script-build', ['build-script-build']);
    cargo.writeFile('/home/gitlab-runner/.cargo/bin/cargo-audit', CREATE);
  });
  f.block('an image build: dockerd runs the Dockerfile\'s RUN apt-get in a BuildKit container', (s) => {
    const dockerd = s.host(800, 'dockerd', { unit: 'docker.service' });
    const runc = dockerd.spawn(30201, '/usr/bin/runc', ['runc', 'run', '--bundle', '/var/lib/docker/buildkit/executor/q2x7'], { comm: 'buildkit-runc' });
    const init = runc.spawn(30202, '/memfd:runc_cloned:/proc/self/exe (deleted)', ['runc', 'init'], { memfd: true, comm: 'runc:[2:INIT]', cgroup: '/docker/buildkit/q2x7hjw9m3n4p5r6s7t8u9v0w' });
    const sh = init.exec('/bin/sh', ['/bin/sh', '-c', 'apt-get update && apt-get install -y --no-install-recommends curl ca-certificates']);
    const apt = sh.spawn(30203, '/usr/bin/apt-get', ['apt-get', 'install', '-y', '--no-install-recommends', 'curl', 'ca-certificates']);
    const dpkg = apt.spawn(30204, '/usr/bin/dpkg', ['/usr/bin/dpkg', '--unpack', '/var/cache/apt/archives/curl_7.88.1-10_amd64.deb']);
    dpkg.writeFile('/usr/bin/curl.dpkg-new', CREATE);
    dpkg.writeFile('/usr/lib/x86_64-linux-gnu/libcurl.so.4.8.0.dpkg-new', CREATE);
    const upd = dpkg.spawn(30205, '/usr/sbin/update-ca-certificates', ['/bin/sh', '/usr/sbin/update-ca-certificates'], { comm: 'update-ca-certi' });
    upd.writeFile('/etc/ssl/certs/ca-certificates.crt.new', CREATE);
  });
  f.block('a developer on the build host: kubectl against the cluster, docker login, a python tool run by root', (s) => {
    const bash = sshLogin(s, { pid: 30300 });
    const kubectl = bash.spawn(30301, '/usr/local/bin/kubectl', ['kubectl', 'get', 'pods', '-n', 'shop']);
    kubectl.cat('/home/alice/.kube/config');
    kubectl.dial('192.168.10.5', 6443);
    const docker = bash.spawn(30302, '/usr/bin/docker', ['docker', 'login', 'registry.example.com']);
    docker.writeFile('/home/alice/.docker/config.json', TRUNCATE);
    const sudo = bash.spawn(30303, '/usr/bin/sudo', ['sudo', 'needrestart', '-r', 'l']);
    sudo.cat('/etc/sudoers');
    sudo.setresuid(0, 0, 0, { uidAfter: 0 });
    const nr = sudo.spawn(30304, '/usr/bin/perl', ['/usr/bin/perl', '/usr/sbin/needrestart', '-r', 'l'], { comm: 'needrestart' });
    nr.cat('/proc/1/maps');
    const py = sudo.spawn(30305, PY, ['python3', '/usr/bin/lsb_release', '-a']);
    py.writeFile('/usr/lib/python3/dist-packages/__pycache__/lsb_release.cpython-311.pyc', O.WRONLY | O.CREAT | O.EXCL);
  });
  return f;
}

export function benignFiles() {
  return [hostAdmin(), k8sNode(), buildHost()];
}
