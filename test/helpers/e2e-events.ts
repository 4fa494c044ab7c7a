// Flat Falco-field JSON events for end-to-end tests: deterministic, with a controlled share that
// matches the test rules below.

export const TEST_RULES = `
- rule: Shadow read by cat
  desc: cat opens /etc/shadow
  condition: evt.type = openat and proc.name = cat and fd.name = /etc/shadow
  output: shadow read (pid=%proc.pid file=%fd.name n=%evt.num)
  priority: WARNING
  tags: [filesystem, test]
- rule: Curl connects
  desc: curl connects somewhere
  condition: evt.type = connect and proc.name = curl
  output: curl connect (n=%evt.num)
  priority: NOTICE
  tags: [network, test]
`;

/** `n` events; every third opens /etc/shadow with cat, every fifth is a curl connect. */
export function testEvents(n: number, start = 1): { lines: string[]; shadow: number; curl: number } {
  const lines: string[] = [];
  let shadow = 0;
  let curl = 0;
  for (let i = start; i < start + n; i++) {
    const ts = `1700000000${String(i).padStart(9, '0')}`;
    if (i % 3 === 0) {
      shadow++;
      lines.push(JSON.stringify({ 'evt.num': i, 'evt.time': ts, 'evt.type': 'openat', 'proc.name': 'cat', 'proc.pid': 100 + i, 'fd.name': '/etc/shadow' }).replace(`"${ts}"`, ts));
    } else if (i % 5 === 0) {
      curl++;
      lines.push(JSON.stringify({ 'evt.num': i, 'evt.time': ts, 'evt.type': 'connect', 'proc.name': 'curl', 'proc.pid': 100 + i }).replace(`"${ts}"`, ts));
    } else {
      lines.push(JSON.stringify({ 'evt.num': i, 'evt.time': ts, 'evt.type': 'openat', 'proc.name': 'ls', 'proc.pid': 100 + i, 'fd.name': '/tmp/x' }).replace(`"${ts}"`, ts));
    }
  }
  return { lines, shadow, curl };
}
