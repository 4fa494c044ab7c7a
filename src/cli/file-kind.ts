// Whether a file is compressed or a capture (its size then says nothing about progress).
import { open } from 'node:fs/promises';

export async function isGzipOrScap(path: string): Promise<boolean> {
  const fh = await open(path, 'r');
  try {
    const buf = Buffer.alloc(4);
    const { bytesRead } = await fh.read(buf, 0, 4, 0);
    if (bytesRead >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return true;
    return bytesRead === 4 && buf.readUInt32LE(0) === 0x0a0d0d0a;
  } finally {
    await fh.close();
  }
}
