import { createReadStream } from 'node:fs';
import { copyFile, mkdir, rename, rm, stat, unlink } from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { BlobStorage, StoredObject } from '.';

/** A folder under the data dir; keys are relative paths (validated so none escapes the folder). */
export class LocalFolderStorage implements BlobStorage {
  readonly kind = 'local' as const;
  constructor(private readonly root: string) {}

  private pathOf(key: string): string {
    if (!/^[A-Za-z0-9][A-Za-z0-9/_.-]*$/.test(key) || key.includes('..')) throw new Error(`KSEFOPS_STORAGE_BAD_KEY: ${key}`);
    return path.join(this.root, key);
  }

  async putFile(key: string, file: string, meta: { size: number; sha256: string }): Promise<StoredObject> {
    const target = this.pathOf(key);
    await mkdir(path.dirname(target), { recursive: true });
    try {
      await rename(file, target);
    } catch (error) {
      // The temporary file may sit on another filesystem (tmpfs): copy, then remove it.
      if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
      await copyFile(file, target);
      await unlink(file);
    }
    return { key, size: (await stat(target)).size, sha256: meta.sha256 };
  }

  async get(key: string): Promise<Readable> {
    const file = this.pathOf(key);
    await stat(file);
    return createReadStream(file);
  }

  async delete(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }
}
