import type { Department } from '@threadbase/platform/contracts';

export type DepartmentNode = Department & { children: DepartmentNode[]; depth: number };

const collator = new Intl.Collator('zh-CN');

/**
 * Builds the department forest from the flat list the API returns, siblings ordered by `sort` then
 * name. A department whose parent is missing (or that sits on a cycle) becomes a root, so nothing the
 * server sends is ever hidden.
 */
export function buildDepartmentTree(departments: readonly Department[]): DepartmentNode[] {
  const nodes = new Map<string, DepartmentNode>();
  for (const department of departments) nodes.set(department.id, { ...department, children: [], depth: 0 });
  const roots: DepartmentNode[] = [];
  for (const node of nodes.values()) {
    const parent = node.parentId ? nodes.get(node.parentId) : undefined;
    if (parent && !isAncestor(node, parent, nodes)) parent.children.push(node);
    else roots.push(node);
  }
  sortAndMeasure(roots, 0);
  return roots;
}

function isAncestor(node: DepartmentNode, candidate: DepartmentNode, nodes: Map<string, DepartmentNode>): boolean {
  const seen = new Set<string>();
  for (let current: DepartmentNode | undefined = candidate; current; current = current.parentId ? nodes.get(current.parentId) : undefined) {
    if (current.id === node.id) return true;
    if (seen.has(current.id)) return false;
    seen.add(current.id);
  }
  return false;
}

function sortAndMeasure(nodes: DepartmentNode[], depth: number): void {
  nodes.sort((a, b) => a.sort - b.sort || collator.compare(a.name, b.name));
  for (const node of nodes) {
    node.depth = depth;
    sortAndMeasure(node.children, depth + 1);
  }
}

/** Names from the root down to the department, e.g. ['示例科技有限公司', '销售部', '华东大区']. */
export function departmentPath(id: string, byId: ReadonlyMap<string, Department>): string[] {
  const names: string[] = [];
  const seen = new Set<string>();
  for (let current = byId.get(id); current && !seen.has(current.id); current = current.parentId ? byId.get(current.parentId) : undefined) {
    seen.add(current.id);
    names.unshift(current.name);
  }
  return names;
}
