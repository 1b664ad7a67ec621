/** The metadata-driven record renderers, for the employee app and the designer's previews. */
export { default as FieldValue } from './field-value.vue';
export { default as FieldInput } from './field-input.vue';
export { default as FilterBar } from './filter-bar.vue';
export { default as RecordForm } from './record-form.vue';
export { default as RecordTable } from './record-table.vue';
export { expandFor, fieldLevel, listColumns, localised, visibleFields } from './field-kinds.ts';
export { conditionsOf, filterTree, type FilterCondition } from './filter-conditions.ts';
export { formatValue } from './format-value.ts';
export { formSections, type FormSection } from './layout-sections.ts';
export { usePeopleStore, type Person } from './people-store.ts';
export { usePublishedMetaStore } from './published-meta-store.ts';
