/**
 * Where attachment bytes live. The API streams an upload to a temporary file while hashing it,
 * then hands the finished file to the storage; reads come back as streams. Local folder by
 * default, any S3-compatible service behind the same interface.
 */
import type { Readable } from 'node:stream';
import type { AttachmentStorageConfig } from '../config';
import { LocalFolderStorage } from './local';
import { S3Storage } from './s3';

export interface StoredObject {
  key: string;
  size: number;
  sha256: string;
}

export interface BlobStorage {
  readonly kind: 'local' | 's3';
  /** Move/upload a finished temporary file under `key`; the caller removes nothing afterwards. */
  putFile(key: string, file: string, meta: { size: number; sha256: string; contentType: string }): Promise<StoredObject>;
  get(key: string): Promise<Readable>;
  delete(key: string): Promise<void>;
}

export { LocalFolderStorage } from './local';
export { S3Storage, type S3StorageOptions } from './s3';

export function createBlobStorage(config: AttachmentStorageConfig): BlobStorage {
  return config.kind === 'local' ? new LocalFolderStorage(config.dir) : new S3Storage(config);
}
