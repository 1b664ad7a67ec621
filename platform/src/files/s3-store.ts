import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Readable } from 'node:stream';
import type { S3Settings } from '../config.ts';
import { assertKey, capped, type ByteRange, type FileStore } from './store.ts';

/** Any S3-compatible store (AWS S3, MinIO, Ceph, cloud vendors' S3 APIs). */
export class S3Store implements FileStore {
  readonly kind = 's3';
  private readonly client: S3Client;
  private readonly bucket: string;

  constructor(settings: S3Settings) {
    this.bucket = settings.bucket;
    this.client = new S3Client({
      endpoint: settings.endpoint,
      region: settings.region,
      forcePathStyle: settings.forcePathStyle,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
      // The SDK's default CRC checksums on every request are not understood by all S3-compatible servers.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  /**
   * The length is not known up front, so the body goes up as a multipart upload (5 MB parts; one plain
   * PUT when it is smaller). A failure, the size cap included, aborts the upload: S3 then keeps nothing.
   */
  async put(key: string, body: AsyncIterable<Uint8Array>, options: { maxBytes: number; contentType: string }): Promise<{ size: number }> {
    assertKey(key);
    const counter = { size: 0 };
    let bodyError: unknown = null;
    const watched = async function* () {
      try {
        yield* capped(body, options.maxBytes, counter);
      } catch (error) {
        bodyError = error;
        throw error;
      }
    };
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: Readable.from(watched()), ContentType: options.contentType },
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (error) {
      // The body's own failure (the cap, a client gone) is the one to report, not what aborting the upload then ran into.
      throw bodyError ?? error;
    }
    return { size: counter.size };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    assertKey(key);
    const response = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key, ...(range && { Range: `bytes=${range.start}-${range.end}` }) }));
    return response.Body as Readable;
  }

  async head(key: string): Promise<{ size: number } | null> {
    assertKey(key);
    try {
      const response = await this.client.send(new HeadObjectCommand({ Bucket: this.bucket, Key: key }));
      return { size: response.ContentLength ?? 0 };
    } catch (error) {
      if ((error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async delete(key: string): Promise<void> {
    assertKey(key);
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}
