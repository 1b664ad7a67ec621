export { openRecordThread, postRecordChanges, postScriptMessage, postFlowMessage, addFollowers, closeRecordThread, recordThread, type FieldChange } from './record-threads.ts';
export { appendMessage, type AppendedRow, type LiveDelivery } from './append.ts';
export { sendMessage, listMessages } from './messages.ts';
export { presentMessages, renderFor, type MessageRow } from './message-view.ts';
export { reactionsOf } from './reactions.ts';
export { mayReadThread, readableThread, readableThreads, type Reader, type ThreadRef } from './thread-access.ts';
export { getThread, inbox } from './inbox.ts';
export { registerSearchIndexing } from './search-indexer.ts';
export { scheduleSearchBackfills } from './search-backfill.ts';
