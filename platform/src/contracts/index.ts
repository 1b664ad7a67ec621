export * from './error-codes.ts';
export * from './common.ts';
export * from './auth.ts';
export * from './org.ts';
export * from './health.ts';
export * from './meta.ts';
export * from './records.ts';
export * from './jobs.ts';
