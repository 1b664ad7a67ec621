/** A live thread (messages, receipts, sending), as the record page shows it. */
export { default as RecordThread } from './record-thread.vue';
export { useThread } from './use-thread.ts';
/** One row of a thread drawn from given messages (`timeline()` makes the rows): the designer's previews. */
export { default as TimelineRow } from './timeline-row.vue';
export { timeline, type TimelineItem } from './timeline.ts';
