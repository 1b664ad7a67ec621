export { publishEvent, OUTBOX_CHANNEL, type DomainEvent } from './publish-event.ts';
export { OutboxDispatcher, type DeliveredEvent, type ConsumerOptions } from './dispatcher.ts';
