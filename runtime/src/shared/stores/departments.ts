import type { Department } from '@threadbase/platform/contracts';
import { defineStore } from 'pinia';
import { computed, ref, shallowRef } from 'vue';
import { orgApi } from '../api/org-api.ts';
import { buildDepartmentTree, departmentPath, type DepartmentNode } from '../org/department-tree.ts';

/** The flat department list, cached for the page; the tree and lookups derive from it. */
export const useDepartmentsStore = defineStore('departments', () => {
  const items = shallowRef<Department[]>([]);
  const loading = ref(false);
  const loaded = ref(false);
  const byId = computed(() => new Map(items.value.map((d) => [d.id, d])));
  const tree = computed(() => buildDepartmentTree(items.value));
  const nodes = computed(() => new Map(walk(tree.value).map((node) => [node.id, node])));
  let pending: Promise<void> | null = null;

  return { items, loading, loaded, byId, tree, load, reload, hydrate, nameOf, pathOf, nodeOf };

  function load(): Promise<void> {
    if (loaded.value) return Promise.resolve();
    return reload();
  }

  function reload(): Promise<void> {
    pending ??= (async () => {
      loading.value = true;
      try {
        hydrate((await orgApi.listDepartments()).items);
      } finally {
        loading.value = false;
        pending = null;
      }
    })();
    return pending;
  }

  function hydrate(departments: Department[]): void {
    items.value = departments;
    loaded.value = true;
  }

  function nameOf(id: string | null | undefined): string {
    return (id && byId.value.get(id)?.name) || '';
  }

  function pathOf(id: string): string {
    return departmentPath(id, byId.value).join(' / ');
  }

  function nodeOf(id: string | null): DepartmentNode | undefined {
    return id ? nodes.value.get(id) : undefined;
  }
});

function walk(nodes: readonly DepartmentNode[]): DepartmentNode[] {
  return nodes.flatMap((node) => [node, ...walk(node.children)]);
}
