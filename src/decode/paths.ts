// Path helpers for decoders.

/** The last path component ("/usr/bin/cat" → "cat"). */
export function basename(path: string): string {
  const i = path.lastIndexOf('/');
  return i < 0 ? path : path.slice(i + 1);
}

/** comm as the kernel sets it on exec: the basename of the executed file, at most 15 characters. */
export function commOf(path: string): string {
  return basename(path).slice(0, 15);
}
