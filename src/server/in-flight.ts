/**
 * The requests a process is still working on (frame handlers, HTTP API calls), so that shutting
 * down waits for them before it closes the database and the bus: a save committed during a
 * rolling restart is then also published, not left for the other processes' members to miss.
 */
export class InFlight {
  private readonly running = new Set<Promise<unknown>>();
  private idle: (() => void)[] = [];

  get size(): number {
    return this.running.size;
  }

  /** Counts `work` until it settles; returns it unchanged. */
  track<T>(work: Promise<T>): Promise<T> {
    const settled: Promise<void> = work.then(
      () => this.done(settled),
      () => this.done(settled),
    );
    this.running.add(settled);
    return work;
  }

  /** Resolves once nothing is running, or after `timeoutMs`, whichever comes first. */
  async settled(timeoutMs: number): Promise<void> {
    if (this.running.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      new Promise<void>((resolve) => this.idle.push(resolve)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, timeoutMs);
      }),
    ]);
    clearTimeout(timer);
  }

  private done(work: Promise<unknown>): void {
    this.running.delete(work);
    if (this.running.size > 0) return;
    const idle = this.idle;
    this.idle = [];
    for (const resolve of idle) resolve();
  }
}
