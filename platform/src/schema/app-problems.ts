import type { MetaDocument } from '../contracts/meta.ts';
import type { MetadataProblem } from './validate-document.ts';

/**
 * Apps' references the contract cannot see: unique names, and objects that exist, once each. An app may
 * not take in an archived object, but one it already had stays when the object is archived later (the
 * launcher hides it until the object is restored), as Salesforce hides the tab of a deleted object.
 * `published` is the metadata before this change: what "already had" is measured against.
 */
export function appProblems(doc: MetaDocument, published: MetaDocument | null): MetadataProblem[] {
  const problems: MetadataProblem[] = [];
  const objects = new Map(doc.objects.map((o) => [o.name, o]));
  const seen = new Set<string>();
  (doc.apps ?? []).forEach((app, i) => {
    const at = `apps.${i}`;
    if (seen.has(app.name)) problems.push({ path: `${at}.name`, code: 'DUPLICATE_NAME', message: app.name });
    seen.add(app.name);
    if (app.archived) return;
    const before = new Set(published?.apps?.find((a) => a.name === app.name)?.objects ?? []);
    const listed = new Set<string>();
    app.objects.forEach((name, k) => {
      const path = `${at}.objects.${k}`;
      const object = objects.get(name);
      if (listed.has(name)) problems.push({ path, code: 'DUPLICATE_NAME', message: `${app.name} lists ${name} twice` });
      else if (!object) problems.push({ path, code: 'UNKNOWN_OBJECT', message: `no object "${name}"` });
      else if (object.archived && !before.has(name)) problems.push({ path, code: 'ARCHIVED_OBJECT', message: `object "${name}" is archived` });
      listed.add(name);
    });
  });
  return problems;
}
