import type { BulkRequest } from '../contracts/index.ts';
import { AppError } from '../core/app-error.ts';
import { inTransaction, type Ctx } from '../core/context.ts';
import type { RecordOut } from './record-shape.ts';
import { createRecord, deleteRecord, updateRecord } from './service.ts';

/** Names the failing item of a bulk request in the error, which rolls the whole request back. */
async function item<T>(op: string, index: number, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof AppError) throw new AppError(error.code, error.status, { params: error.params, details: { ...error.details, op, index } });
    throw error;
  }
}

/** Creates, updates and deletes in one transaction: all of it happens, or none. */
export async function bulkRecords(ctx: Ctx, object: string, request: BulkRequest): Promise<{ created: RecordOut[]; updated: RecordOut[]; deleted: number }> {
  return inTransaction(ctx, async (tx) => {
    const created: RecordOut[] = [];
    const updated: RecordOut[] = [];
    for (const [i, input] of request.create.entries()) created.push(await item('create', i, () => createRecord(tx, object, input)));
    for (const [i, { id, ...input }] of request.update.entries()) updated.push(await item('update', i, () => updateRecord(tx, object, id, input)));
    for (const [i, id] of request.delete.entries()) await item('delete', i, () => deleteRecord(tx, object, id));
    return { created, updated, deleted: request.delete.length };
  });
}
