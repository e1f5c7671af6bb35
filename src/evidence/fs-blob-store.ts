/**
 * @module evidence/fs-blob-store
 * The filesystem `BlobStore` (default): blobs under `<data dir>/evidence/blobs/<case>/<digest>`,
 * directories 0700 and files 0600. A blob is written to a temporary file in the same directory
 * tree, fsync'ed and renamed into place (rename is atomic on POSIX), so a crash never leaves a
 * half-written blob under its name; leftover temporary files are removed at start.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { chmod, mkdir, open, readdir, rename, rm, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { pipeline } from 'node:stream/promises';
import { checkBlobKey, type BlobReader, type BlobStore } from './blob-store.js';

const TMP_DIR = '.tmp';

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

export async function createFsBlobStore(root: string): Promise<BlobStore> {
  await mkdir(root, { recursive: true, mode: 0o700 });
  await chmod(root, 0o700);
  const tmp = join(root, TMP_DIR);
  // Temporary files of writes cut short by a crash are never blobs: remove them.
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { mode: 0o700 });

  const pathOf = (key: string): string => {
    checkBlobKey(key);
    return join(root, key);
  };

  async function place(key: string, from: string): Promise<{ size: number }> {
    const target = pathOf(key);
    const dir = join(root, key.split('/')[0] as string);
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const existing = await stat(target).catch(() => null);
    if (existing !== null) {
      // Immutable: the first copy stays; the new one is dropped.
      await unlink(from).catch(() => undefined);
      return { size: existing.size };
    }
    await chmod(from, 0o600);
    await fsyncPath(from);
    await rename(from, target);
    await fsyncPath(dir);
    return { size: (await stat(target)).size };
  }

  const store: BlobStore = {
    kind: 'fs',
    async put(key, source) {
      pathOf(key);
      const temp = join(tmp, `${randomBytes(12).toString('hex')}.part`);
      try {
        await pipeline(source, createWriteStream(temp, { mode: 0o600, flags: 'wx' }));
        return await place(key, temp);
      } catch (error) {
        await unlink(temp).catch(() => undefined);
        throw error;
      }
    },
    async putFile(key, path) {
      pathOf(key);
      try {
        return await place(key, path);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
        // Another filesystem: copy through a temporary file, then drop the original.
        const result = await store.put(key, createReadStream(path));
        await unlink(path);
        return result;
      }
    },
    async get(key) {
      const path = pathOf(key);
      const found = await stat(path).catch(() => null);
      return found === null ? null : createReadStream(path, { highWaterMark: 64 * 1024 });
    },
    async read(key): Promise<BlobReader | null> {
      const path = pathOf(key);
      const handle = await open(path, 'r').catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return null;
        throw error;
      });
      if (handle === null) return null;
      let position = 0;
      return {
        // One read per call into the caller's buffer (a sealed chunk at a time): no stream buffers.
        async fill(into) {
          let at = 0;
          while (at < into.length) {
            const { bytesRead } = await handle.read(into, at, into.length - at, position);
            if (bytesRead === 0) break;
            at += bytesRead;
            position += bytesRead;
          }
          return at;
        },
        close: () => handle.close(),
      };
    },
    async stat(key) {
      const found = await stat(pathOf(key)).catch(() => null);
      return found === null ? null : { size: found.size };
    },
    async delete(key) {
      await rm(pathOf(key), { force: true });
    },
    async list(prefix) {
      const keys: string[] = [];
      const dirs = (await readdir(root, { withFileTypes: true })).filter((d) => d.isDirectory() && d.name !== TMP_DIR);
      for (const dir of dirs) {
        for (const file of await readdir(join(root, dir.name))) {
          const key = `${dir.name}/${file}`;
          if (key.startsWith(prefix)) keys.push(key);
        }
      }
      return keys.sort();
    },
  };
  return Object.freeze(store);
}
