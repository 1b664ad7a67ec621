export { outboxNotify, outboxWrites, publishEvent, publishEvents, wakeAfterCommit, OUTBOX_CHANNEL, type DomainEvent, type HeldDelivery } from './publish-event.ts';
export { OutboxDispatcher, type ConsumerHandler, type ConsumerOptions, type DeliveredEvent } from './dispatcher.ts';
export { purgeDeliveredEvents } from './purge.ts';
