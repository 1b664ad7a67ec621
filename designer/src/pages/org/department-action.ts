import type { Department } from '@threadbase/platform/contracts';

/** What the department dialog is asked to do; `parent: null` creates a top-level department. */
export type DepartmentAction =
  | { kind: 'create'; parent: Department | null }
  | { kind: 'rename' | 'move' | 'manager'; department: Department };

export type DepartmentCommand = 'create' | 'rename' | 'move' | 'manager' | 'delete';
