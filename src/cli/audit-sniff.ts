// Recognises a Kubernetes audit log (JSON lines of audit.k8s.io Events or EventLists) from its first
// record, so `replay FILE` can send it to the k8s_audit source without a flag.
import { open } from 'node:fs/promises';

export async function looksLikeAuditLog(path: string): Promise<boolean> {
  let fh;
  try {
    fh = await open(path, 'r');
  } catch {
    return false;
  }
  try {
    const buf = Buffer.alloc(64 * 1024);
    const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
    const text = buf.subarray(0, bytesRead).toString('utf8');
    const nl = text.indexOf('\n');
    const first = (nl < 0 ? text : text.slice(0, nl)).trim();
    if (!first.startsWith('{')) return false;
    try {
      const v = JSON.parse(first) as Record<string, unknown>;
      return (v['kind'] === 'Event' || v['kind'] === 'EventList') && typeof v['apiVersion'] === 'string' && v['apiVersion'].startsWith('audit.k8s.io/');
    } catch {
      return /"apiVersion"\s*:\s*"audit\.k8s\.io\//.test(first.slice(0, 4096));
    }
  } finally {
    await fh.close();
  }
}
