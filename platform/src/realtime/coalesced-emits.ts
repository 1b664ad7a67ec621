/**
 * Emits a "something changed" nudge to a room at once, then at most once more per window: an import of
 * 10,000 records tells a watching board a few times, not 10,000 times, and the last change is never
 * missed (the trailing emit comes after it).
 */
export class CoalescedEmits {
  #waiting = new Map<string, { again: boolean; timer: NodeJS.Timeout }>();
  readonly #emit: (room: string) => void;
  readonly #windowMs: number;

  constructor(emit: (room: string) => void, windowMs = 250) {
    this.#emit = emit;
    this.#windowMs = windowMs;
  }

  nudge(room: string): void {
    const waiting = this.#waiting.get(room);
    if (waiting) {
      waiting.again = true;
      return;
    }
    this.#emit(room);
    this.#open(room);
  }

  close(): void {
    for (const { timer } of this.#waiting.values()) clearTimeout(timer);
    this.#waiting.clear();
  }

  #open(room: string): void {
    const timer = setTimeout(() => {
      const again = this.#waiting.get(room)?.again;
      this.#waiting.delete(room);
      if (!again) return;
      this.#emit(room);
      this.#open(room);
    }, this.#windowMs);
    timer.unref();
    this.#waiting.set(room, { again: false, timer });
  }
}
