/**
 * A one-file tar archive in memory: how a config file reaches a container (`docker cp -` reads a
 * tar stream on stdin), with no shell inside the container and nothing written on the host.
 */

function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\0`;
}

export function tarFile(name: string, content: string | Buffer, mode = 0o644, mtime = 0): Buffer {
  const body = Buffer.isBuffer(content) ? content : Buffer.from(content, 'utf8');
  if (Buffer.byteLength(name) > 99) throw new Error(`tar entry name too long: ${name}`);
  const header = Buffer.alloc(512, 0);
  header.write(name, 0, 'utf8');
  header.write(octal(mode, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(body.length, 12), 124, 'ascii');
  header.write(octal(mtime, 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write('0', 156, 'ascii');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) sum += byte;
  header.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'ascii');
  const padding = Buffer.alloc((512 - (body.length % 512)) % 512, 0);
  return Buffer.concat([header, body, padding, Buffer.alloc(1024, 0)]);
}

/** Several files in one tar stream (each entry as tarFile writes it, one end-of-archive marker). */
export function tarFiles(files: ReadonlyArray<readonly [string, string]>): Buffer {
  return Buffer.concat([
    ...files.map(([name, content]) => {
      const one = tarFile(name, content);
      return one.subarray(0, one.length - 1024);
    }),
    Buffer.alloc(1024, 0),
  ]);
}
