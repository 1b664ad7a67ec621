// The schema domain turns metadata into tables: plan a diff, then apply it inside the publish transaction.
export { planSchemaChanges, type SchemaAction } from './plan.ts';
export { applySchemaActions, type SchemaTarget } from './apply.ts';
export { assertValidMetadata, metadataProblems, type MetadataProblem } from './validate-document.ts';
export { RECORD_SYSTEM_COLUMNS } from './identifiers.ts';
export { formulaSql, compileFormula, formulaReferences, FormulaError } from './formula.ts';
export { parseSortSpec, sortKindOf, type SortKind } from './sort-kinds.ts';
export { dropArchived, storedData, type ArchivedStorage } from './drop-archived.ts';
