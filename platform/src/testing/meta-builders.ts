/** Short builders for metadata in tests: the same text in both languages, one colour for options. */
export const label = (text: string) => ({ 'zh-CN': text, en: text });

export const option = (key: string) => ({ key, label: label(key), color: '#3370ff' });

export const field = (name: string, type: string, extra: Record<string, unknown> = {}) => ({ name, type, label: label(name), ...extra });

export const objectDef = (name: string, recordName: string, fields: Record<string, unknown>[], extra: Record<string, unknown> = {}) => ({
  name,
  label: label(name),
  pluralLabel: label(`${name}s`),
  recordName,
  fields,
  ...extra,
});
