/** A live thread (messages, receipts, sending), as the record page shows it. */
export { default as RecordThread } from './record-thread.vue';
export { useThread } from './use-thread.ts';
