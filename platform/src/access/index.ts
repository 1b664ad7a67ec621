export { accessTo, accessOfUser, assertCanCreate, assertCanRead, assertVisible, assertWritable, filterFields, type ObjectAccess } from './object-access.ts';
export { ACCESS_CHANNEL, forgetAccess } from './model.ts';
export { readableRecords, readableRecordTitles } from './readable-records.ts';
export { forgetShares, listShares, shareRecord, unshareRecord } from './shares.ts';
export { explainAccess, myObjectAccess } from './explain.ts';
export { recordEventFor, type RecordEventPayload } from './events.ts';
export { asSystem, asUser } from './elevate.ts';
export { listRoles, listRoleMembers } from './roles.ts';
