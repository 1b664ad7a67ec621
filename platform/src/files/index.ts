export { addFileLinkReader, canReadFile, describeFiles, linkFilesToRecord, readableFile, readableFiles, type FileRow } from './access.ts';
export { DiskStore } from './disk-store.ts';
export { createFileStore } from './open-store.ts';
export { purgeExpiredFiles } from './purge.ts';
export type { FileStore } from './store.ts';
