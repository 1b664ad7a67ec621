/** For uploads that say nothing better than "bytes": browsers send that for extensions they do not know. */
const BY_EXTENSION: Record<string, string> = {
  pdf: 'application/pdf',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
  avif: 'image/avif',
  heic: 'image/heic',
  svg: 'image/svg+xml',
  txt: 'text/plain',
  csv: 'text/csv',
  md: 'text/markdown',
  json: 'application/json',
  zip: 'application/zip',
  rtf: 'application/rtf',
  doc: 'application/msword',
  xls: 'application/vnd.ms-excel',
  ppt: 'application/vnd.ms-powerpoint',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  odt: 'application/vnd.oasis.opendocument.text',
  ods: 'application/vnd.oasis.opendocument.spreadsheet',
  odp: 'application/vnd.oasis.opendocument.presentation',
};

const GENERIC = 'application/octet-stream';
const TOKEN = /^[a-z0-9][a-z0-9!#$&^_.+-]*\/[a-z0-9][a-z0-9!#$&^_.+-]*$/;

/**
 * The type a file is stored and served with: the declared one without parameters, lower-cased, or,
 * when the client declared nothing useful, the one its extension names.
 */
export function contentTypeOf(declared: string | undefined, name: string): string {
  const essence = (declared ?? '').split(';')[0]!.trim().toLowerCase();
  if (TOKEN.test(essence) && essence !== GENERIC) return essence;
  const extension = /\.([a-z0-9]+)$/i.exec(name)?.[1]?.toLowerCase();
  return (extension && BY_EXTENSION[extension]) ?? GENERIC;
}

/**
 * Images and PDFs open in the browser; everything else downloads. SVG and HTML would run scripts on
 * our origin if shown inline, so they always download.
 */
export function isInline(contentType: string): boolean {
  return (contentType.startsWith('image/') && contentType !== 'image/svg+xml') || contentType === 'application/pdf';
}

/** RFC 6266 / 5987: an ASCII fallback name for old clients, and the exact UTF-8 name in `filename*`. */
export function contentDisposition(contentType: string, name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]|["\\%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${isInline(contentType) ? 'inline' : 'attachment'}; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** What a file name may be: one path segment a person could have typed. */
export function cleanFileName(raw: string): string | null {
  const name = raw.normalize('NFC').trim();
  if (!name || name.length > 255 || name === '.' || name === '..') return null;
  if (/[\u0000-\u001f\u007f/\\]/.test(name) || !name.isWellFormed()) return null;
  return name;
}
