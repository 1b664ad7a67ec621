export { openRecordThread, postRecordChanges, addFollowers, closeRecordThread, recordThread, type FieldChange } from './record-threads.ts';
export { appendMessage, sendMessage, listMessages, renderFor, toMessage } from './messages.ts';
export { readableThread } from './thread-access.ts';
export { getThread, inbox } from './inbox.ts';
