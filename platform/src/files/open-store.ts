import path from 'node:path';
import type { Config } from '../config.ts';
import { DiskStore } from './disk-store.ts';
import { S3Store } from './s3-store.ts';
import type { FileStore } from './store.ts';

export function createFileStore(config: Config): FileStore {
  return config.files.backend === 's3' ? new S3Store(config.files.s3) : new DiskStore(path.join(config.dataDir, 'files'));
}
