/** A clock that ticks every `everyMs` (for "overdue"), stopped with `destroy`. */
export class Clock {
  now = $state(Date.now());
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(everyMs = 30_000) {
    this.timer = setInterval(() => (this.now = Date.now()), everyMs);
  }

  destroy(): void {
    clearInterval(this.timer);
  }
}
