export { appendAudit, type AuditEntry } from './append-audit.ts';
export { verifyAudit, type AuditProblem, type AuditReport } from './verify-audit.ts';
