import type { Department } from '@threadbase/platform/contracts';
import { describe, expect, it } from 'vitest';
import { buildDepartmentTree, departmentPath, type DepartmentNode } from './department-tree.ts';

function dept(id: string, name: string, parentId: string | null, sort = 0): Department {
  return { id, name, parentId, sort, managerId: null, memberCount: 0, totalMemberCount: 0 };
}

function flattenTree(nodes: readonly DepartmentNode[]): DepartmentNode[] {
  return nodes.flatMap((node) => [node, ...flattenTree(node.children)]);
}

const flat = [
  dept('sales-east', '华东大区', 'sales', 0),
  dept('rd', '研发中心', 'root', 3),
  dept('sales', '销售部', 'root', 1),
  dept('sales-south', '华南大区', 'sales', 1),
  dept('root', '示例科技有限公司', null),
  dept('finance', '财务部', 'root', 3),
];

describe('buildDepartmentTree', () => {
  it('nests children under their parents and records the depth', () => {
    const [root, ...others] = buildDepartmentTree(flat);
    expect(others).toEqual([]);
    expect(root?.name).toBe('示例科技有限公司');
    expect(root?.children.map((c) => c.id)).toEqual(['sales', 'finance', 'rd']);
    expect(root?.children[0]?.children.map((c) => [c.name, c.depth])).toEqual([
      ['华东大区', 2],
      ['华南大区', 2],
    ]);
  });

  it('orders siblings by sort, then by name', () => {
    const roots = buildDepartmentTree([dept('b', 'B', null, 1), dept('c', 'A', null, 1), dept('a', 'Z', null, 0)]);
    expect(roots.map((r) => r.name)).toEqual(['Z', 'A', 'B']);
  });

  it('keeps departments with a missing parent, and breaks cycles, as roots', () => {
    const roots = buildDepartmentTree([dept('x', 'X', 'gone'), dept('a', 'A', 'b'), dept('b', 'B', 'a')]);
    expect(flattenTree(roots).map((n) => n.id).sort()).toEqual(['a', 'b', 'x']);
    expect(roots.some((r) => r.id === 'x')).toBe(true);
  });

  it('does not change the input', () => {
    const copy = structuredClone(flat);
    buildDepartmentTree(flat);
    expect(flat).toEqual(copy);
  });
});

describe('departmentPath', () => {
  it('lists names from the root down', () => {
    const byId = new Map(flat.map((d) => [d.id, d]));
    expect(departmentPath('sales-east', byId)).toEqual(['示例科技有限公司', '销售部', '华东大区']);
    expect(departmentPath('unknown', byId)).toEqual([]);
  });
});

describe('the whole tree', () => {
  it('reads depth first in display order', () => {
    expect(flattenTree(buildDepartmentTree(flat)).map((n) => n.id)).toEqual(['root', 'sales', 'sales-east', 'sales-south', 'finance', 'rd']);
  });
});
