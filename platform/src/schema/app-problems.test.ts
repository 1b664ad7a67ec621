import { describe, expect, it } from 'vitest';
import { MetaDocument } from '../contracts/meta.ts';
import { field, label, objectDef } from '../testing/meta-builders.ts';
import { appProblems } from './app-problems.ts';

const doc = (apps: Record<string, unknown>[], archivedObjects: string[] = []) =>
  MetaDocument.parse({
    objects: ['customer', 'deal', 'contract'].map((name) => objectDef(name, 'name', [field('name', 'text')], { archived: archivedObjects.includes(name) })),
    apps: apps.map((app) => ({ label: label(String(app.name)), ...app })),
  });

describe('problems of apps', () => {
  it('none for apps over live objects, nor for an app without objects', () => {
    expect(appProblems(doc([{ name: 'sales', objects: ['deal', 'customer'] }, { name: 'empty', objects: [] }]), null)).toEqual([]);
  });

  it('unknown objects, an object listed twice and a name used twice, with paths', () => {
    const problems = appProblems(doc([{ name: 'sales', objects: ['deal', 'lead', 'deal'] }, { name: 'sales', objects: ['customer'] }]), null);
    expect(problems).toEqual([
      { path: 'apps.0.objects.1', code: 'UNKNOWN_OBJECT', message: 'no object "lead"' },
      { path: 'apps.0.objects.2', code: 'DUPLICATE_NAME', message: 'sales lists deal twice' },
      { path: 'apps.1.name', code: 'DUPLICATE_NAME', message: 'sales' },
    ]);
  });

  it('an archived object may stay in an app that had it, but not join one', () => {
    const published = doc([{ name: 'legal', objects: ['contract'] }]);
    expect(appProblems(doc([{ name: 'legal', objects: ['contract', 'customer'] }], ['contract']), published)).toEqual([]);
    expect(appProblems(doc([{ name: 'sales', objects: ['deal', 'contract'] }], ['contract']), published)).toEqual([
      { path: 'apps.0.objects.1', code: 'ARCHIVED_OBJECT', message: 'object "contract" is archived' },
    ]);
    expect(appProblems(doc([{ name: 'legal', objects: ['contract'] }], ['contract']), null)).toHaveLength(1);
  });

  it('an archived app keeps whatever it listed unchecked: restoring it is checked again', () => {
    expect(appProblems(doc([{ name: 'old', objects: ['gone'], archived: true }]), null)).toEqual([]);
  });
});
