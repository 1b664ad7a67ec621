import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import type { FileSettings } from '../contracts/files.ts';
import type { TestPlatform } from '../testing/index.ts';
import { chunked, download, jpeg, png, tokenFor, upload } from './files-fixture.ts';

export type StoreUnderTest = {
  t: TestPlatform;
  /** Every key the backend holds, to prove that a refused upload left nothing behind. */
  keys(): Promise<string[]>;
};

const PDF = Buffer.from(`%PDF-1.4\n${'报价单 quotation line\n'.repeat(200)}%%EOF\n`);
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The round trip, range and limit behaviour every file store backend must show through the API. */
export function storeSuite(name: string, setup: () => StoreUnderTest) {
  describe(`files on ${name}`, () => {
    let s: StoreUnderTest;
    let token: string;
    let pdfId: string;
    const fileCount = async () => Number((await s.t.platform.db.kysely.selectFrom(`${s.t.platform.workspaces.list()[0]!.schemas.system}.files`).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

    beforeAll(async () => {
      s = setup();
      token = await tokenFor(s.t.app);
    });

    it('uploads a file with a Chinese name and downloads exactly the same bytes and name', async () => {
      const res = await upload(s.t.app, token, PDF, '报价单.pdf', 'application/pdf');
      expect(res.status, res.bytes.toString()).toBe(201);
      expect(res.json).toMatchObject({ name: '报价单.pdf', size: PDF.length, contentType: 'application/pdf', sha256: sha256(PDF), thumbnail: false, width: null, height: null });
      pdfId = res.json.id;
      const got = await download(s.t.app, token, `/api/v1/files/${pdfId}`);
      expect(got.status).toBe(200);
      expect(got.bytes.equals(PDF)).toBe(true);
      expect(Object.fromEntries(got.headers)).toMatchObject({
        'content-type': 'application/pdf',
        'content-length': String(PDF.length),
        'accept-ranges': 'bytes',
        etag: `"${sha256(PDF)}"`,
        'x-content-type-options': 'nosniff',
        'content-disposition': `inline; filename="___.pdf"; filename*=UTF-8''${encodeURIComponent('报价单.pdf')}`,
      });
    });

    it('serves the first bytes, a suffix, an open end and a clamped end of the file (206)', async () => {
      const path = `/api/v1/files/${pdfId}`;
      const cases: [string, number, number][] = [
        ['bytes=0-9', 0, 9],
        ['bytes=-5', PDF.length - 5, PDF.length - 1],
        ['bytes=100-', 100, PDF.length - 1],
        [`bytes=50-${PDF.length + 1000}`, 50, PDF.length - 1],
      ];
      for (const [range, start, end] of cases) {
        const got = await download(s.t.app, token, path, { range });
        expect(got.status, range).toBe(206);
        expect(got.headers.get('content-range')).toBe(`bytes ${start}-${end}/${PDF.length}`);
        expect(got.headers.get('content-length')).toBe(String(end - start + 1));
        expect(got.bytes.equals(PDF.subarray(start, end + 1)), range).toBe(true);
      }
    });

    it('answers 416 for a range past the end, and the whole file for ranges it does not serve', async () => {
      const path = `/api/v1/files/${pdfId}`;
      const past = await download(s.t.app, token, path, { range: `bytes=${PDF.length}-` });
      expect(past.status).toBe(416);
      expect(past.headers.get('content-range')).toBe(`bytes */${PDF.length}`);
      expect(past.json.error.code).toBe('RANGE_NOT_SATISFIABLE');
      expect((await download(s.t.app, token, path, { range: 'bytes=-0' })).status).toBe(416);
      for (const range of ['bytes=0-1,5-6', 'items=0-1', 'bytes=9-3']) expect((await download(s.t.app, token, path, { range })).status, range).toBe(200);
      expect((await download(s.t.app, token, path, { range: 'bytes=0-9', 'if-range': '"stale"' })).status).toBe(200);
    });

    it('answers 304 to a matching If-None-Match and headers only to HEAD', async () => {
      const path = `/api/v1/files/${pdfId}`;
      const cached = await download(s.t.app, token, path, { 'if-none-match': `"${sha256(PDF)}"` });
      expect(cached.status).toBe(304);
      expect(cached.bytes.length).toBe(0);
      const head = await download(s.t.app, token, path, {}, 'HEAD');
      expect(head.status).toBe(200);
      expect(head.headers.get('content-length')).toBe(String(PDF.length));
    });

    it('streams a body of unknown length bigger than one S3 part and reads any part of it back', async () => {
      const res = await upload(s.t.app, token, chunked(96, 64 * 1024), 'big.zip', 'application/zip');
      expect(res.status, res.bytes.toString()).toBe(201);
      expect(res.json.size).toBe(96 * 64 * 1024);
      const middle = await download(s.t.app, token, `/api/v1/files/${res.json.id}`, { range: 'bytes=5242870-5242889' });
      expect(middle.status).toBe(206);
      expect([...middle.bytes]).toEqual([...Array(20)].map((_, i) => (Math.floor((5242870 + i) / 65536) + 1) % 256));
      const whole = await download(s.t.app, token, `/api/v1/files/${res.json.id}`);
      expect(sha256(whole.bytes)).toBe(res.json.sha256);
    });

    it('makes a WebP thumbnail of at most 320 px for PNG and JPEG images', async () => {
      const images = [
        { type: 'image/png', bytes: await png(800, 600), size: [800, 600], thumbnail: [320, 240] },
        { type: 'image/jpeg', bytes: await jpeg(300, 900), size: [300, 900], thumbnail: [107, 320] },
      ];
      for (const image of images) {
        const res = await upload(s.t.app, token, image.bytes, `photo.${image.type.slice(6)}`, image.type);
        expect(res.status).toBe(201);
        expect(res.json).toMatchObject({ thumbnail: true, contentType: image.type, width: image.size[0], height: image.size[1] });
        const thumb = await download(s.t.app, token, `/api/v1/files/${res.json.id}/thumbnail`);
        expect(thumb.status).toBe(200);
        expect(thumb.headers.get('content-type')).toBe('image/webp');
        const meta = await sharp(thumb.bytes).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['webp', ...image.thumbnail]);
      }
      const none = await download(s.t.app, token, `/api/v1/files/${pdfId}/thumbnail`);
      expect(none.status).toBe(404);
      expect(none.json.error.code).toBe('THUMBNAIL_NOT_FOUND');
    });

    it('refuses a file over the workspace limit with 413, declared or streamed, and keeps nothing', async () => {
      const settings = (method: string, body?: unknown) =>
        s.t.app.request('/api/v1/files/settings', { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const original = (await (await settings('GET')).json()) as FileSettings;
      const before = { keys: await s.keys(), rows: await fileCount() };
      expect((await settings('PUT', { ...original, maxBytes: 100_000 })).status).toBe(200);
      try {
        const declared = await upload(s.t.app, token, new Uint8Array(100_001), 'a.zip', 'application/zip');
        expect(declared.status).toBe(413);
        expect(declared.json.error).toMatchObject({ code: 'FILE_TOO_LARGE', details: { maxBytes: 100_000 } });
        const streamed = await upload(s.t.app, token, chunked(40, 4096), 'b.zip', 'application/zip');
        expect(streamed.status).toBe(413);
        expect(streamed.json.error.code).toBe('FILE_TOO_LARGE');
        expect({ keys: await s.keys(), rows: await fileCount() }).toEqual(before);
        expect((await upload(s.t.app, token, new Uint8Array(100_000), 'c.zip', 'application/zip')).status).toBe(201);
      } finally {
        expect((await settings('PUT', original)).status).toBe(200);
      }
    });
  });
}
