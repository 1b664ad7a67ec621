import { createRoute, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { Readable } from 'node:stream';
import type { ReadableStream as WebStream } from 'node:stream/web';
import { IdParam } from '../contracts/index.ts';
import { FileOut, FileSettings, UploadHeaders } from '../contracts/files.ts';
import { AppError } from '../core/app-error.ts';
import { requireAdmin, requireUser } from '../core/guards.ts';
import type { AppEnv } from '../http/app-env.ts';
import { body, errors, json, router, secured } from '../http/route-helpers.ts';
import { serveFile, serveThumbnail, type Conditions, type Served } from './download.ts';
import { getFileSettings, updateFileSettings } from './settings.ts';
import { uploadFile } from './upload.ts';

const tags = ['Files'];
const binary = (description: string) => ({ description, content: { '*/*': { schema: z.string().meta({ format: 'binary' }) } } });
const noBody = (description: string) => ({ description });

export const FILES_PATH = '/api/v1/files';

const routes = {
  getSettings: createRoute({ method: 'get', path: `${FILES_PATH}/settings`, tags, security: secured, summary: 'Size limit, allowed types and retention of uploads (admin)', responses: { 200: json(FileSettings, 'Settings'), ...errors(401, 403) } }),
  putSettings: createRoute({
    method: 'put',
    path: `${FILES_PATH}/settings`,
    tags,
    security: secured,
    summary: 'Change the size limit, allowed types and retention of uploads (admin, audited)',
    request: { body: body(FileSettings) },
    responses: { 200: json(FileSettings, 'Saved'), ...errors(401, 403) },
  }),
  upload: createRoute({
    method: 'post',
    path: FILES_PATH,
    tags,
    security: secured,
    summary: 'Upload one file as the raw request body: Content-Type is its type, X-File-Name its URL-encoded name',
    request: { headers: UploadHeaders, body: { required: true, content: { '*/*': { schema: z.string().meta({ format: 'binary' }) } } } },
    responses: { 201: json(FileOut, 'Stored'), ...errors(401, 413, 415) },
  }),
  download: createRoute({
    method: 'get',
    path: `${FILES_PATH}/{id}`,
    tags,
    security: secured,
    summary: 'The file, with its type; `Range: bytes=…` gives part of it (206)',
    request: { params: IdParam },
    responses: {
      200: binary('The file'),
      206: binary('The requested bytes (Content-Range says which)'),
      304: noBody('Unchanged since the ETag sent in If-None-Match'),
      416: { description: 'The range starts past the end (RANGE_NOT_SATISFIABLE)', content: errors(404)[404].content },
      ...errors(401, 404),
    },
  }),
  thumbnail: createRoute({
    method: 'get',
    path: `${FILES_PATH}/{id}/thumbnail`,
    tags,
    security: secured,
    summary: 'A WebP preview of an image, at most 320×320',
    request: { params: IdParam },
    responses: { 200: binary('The preview'), 304: noBody('Unchanged'), ...errors(401, 404) },
  }),
};

function conditions(c: Context<AppEnv>): Conditions {
  return { method: c.req.method, range: c.req.header('range'), ifNoneMatch: c.req.header('if-none-match'), ifRange: c.req.header('if-range') };
}

function send(c: Context<AppEnv>, { status, headers, body }: Served) {
  if (status === 416) {
    for (const [name, value] of Object.entries(headers)) c.header(name, value);
    throw new AppError('RANGE_NOT_SATISFIABLE', 416);
  }
  if (status === 304 || !body) return c.body(null, status, headers);
  return c.body(Readable.toWeb(body) as WebStream<Uint8Array> as unknown as ReadableStream<Uint8Array>, status, headers);
}

export function fileRoutes() {
  const app = router();
  // Before `/{id}`, which would otherwise take "settings" for an id.
  app.openapi(routes.getSettings, async (c) => {
    requireAdmin(c.get('ctx'));
    return c.json(await getFileSettings(c.get('ctx')), 200);
  });
  app.openapi(routes.putSettings, async (c) => c.json(await updateFileSettings(c.get('ctx'), c.req.valid('json')), 200));
  app.openapi(routes.upload, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    const file = await uploadFile(ctx, {
      body: c.req.raw.body && Readable.fromWeb(c.req.raw.body as WebStream<Uint8Array>),
      encodedName: c.req.valid('header')['x-file-name'],
      contentType: c.req.header('content-type'),
      contentLength: c.req.header('content-length'),
    });
    return c.json(file, 201);
  });
  app.openapi(routes.download, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return send(c, await serveFile(ctx, c.req.valid('param').id, conditions(c)));
  });
  app.openapi(routes.thumbnail, async (c) => {
    const ctx = c.get('ctx');
    requireUser(ctx);
    return send(c, await serveThumbnail(ctx, c.req.valid('param').id, conditions(c)));
  });
  return app;
}
