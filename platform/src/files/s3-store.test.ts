import { CreateBucketCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import S3rver from 's3rver';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { S3Settings } from '../config.ts';
import { startTestPlatform, type TestPlatform } from '../testing/index.ts';
import { S3Store } from './s3-store.ts';
import { storeSuite } from './store-suite.ts';
import { FileTooLargeError } from './store.ts';

/** s3rver: a pure-JS S3-compatible server, run in this process on a free port with its data in a temporary folder. */
let server: S3rver;
let folder: string;
let settings: S3Settings;
let client: S3Client;
let t: TestPlatform;

beforeAll(async () => {
  folder = await mkdtemp(path.join(tmpdir(), 'tb-s3rver-'));
  server = new S3rver({ port: 0, address: '127.0.0.1', silent: true, directory: folder });
  const { port } = await server.run();
  settings = { endpoint: `http://127.0.0.1:${port}`, region: 'us-east-1', bucket: 'tb-files', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true };
  client = new S3Client({ endpoint: settings.endpoint, region: settings.region, forcePathStyle: true, credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey } });
  await client.send(new CreateBucketCommand({ Bucket: settings.bucket }));
  t = await startTestPlatform({ files: new S3Store(settings) });
}, 60_000);

afterAll(async () => {
  await t?.close();
  await server?.close();
  await rm(folder, { recursive: true, force: true });
});

async function keys(): Promise<string[]> {
  const listed = await client.send(new ListObjectsV2Command({ Bucket: settings.bucket }));
  return (listed.Contents ?? []).map((o) => o.Key!).sort();
}

storeSuite('S3 (s3rver)', () => ({ t, keys }));

describe('the S3 store itself', () => {
  it('keys files by workspace and month', async () => {
    expect((await keys()).every((key) => /^default\/\d{4}\/\d{2}\/[0-9a-f-]{36}(\.thumb\.webp)?$/.test(key))).toBe(true);
  });

  // s3rver implements neither AbortMultipartUpload nor ListMultipartUploads: the parts it received stay in
  // its folder, invisible to listings and reads. Real S3 and MinIO drop them on the abort.
  it('refuses a multipart upload that passes the cap with the cap error, leaving no object', async () => {
    const store = new S3Store(settings);
    const before = await keys();
    const body = Readable.from((function* () {
      for (let i = 0; i < 12; i++) yield new Uint8Array(1024 * 1024);
    })());
    await expect(store.put('default/cap/test', body, { maxBytes: 11 * 1024 * 1024, contentType: 'application/zip' })).rejects.toBeInstanceOf(FileTooLargeError);
    expect(await keys()).toEqual(before);
    expect(await store.head('default/cap/test')).toBeNull();
  });

  it('deletes, and deleting what is not there is no error', async () => {
    const store = new S3Store(settings);
    await store.put('default/del/one', Readable.from([Buffer.from('abc')]), { maxBytes: 10, contentType: 'text/plain' });
    expect(await store.head('default/del/one')).toEqual({ size: 3 });
    await store.delete('default/del/one');
    await store.delete('default/del/one');
    expect(await store.head('default/del/one')).toBeNull();
  });
});
