/**
 * When what a store holds must be read again from the server (the user's field rules changed, so
 * the server now redacts its items otherwise): one re-read at a time, another after it when asked
 * meanwhile, and one cut short (the connection went) done again when the store's room is joined
 * again (`resumed`). `run` reads and resolves to whether it got through.
 */
export class ReadAgain {
  /** What is held was redacted by rules no longer in force. */
  private stale = false;
  private running = false;
  private again = false;

  constructor(private readonly run: () => Promise<boolean>) {}

  /** Read again now, or after the re-read under way. */
  start(): void {
    if (this.running) return void (this.again = true);
    this.running = true;
    this.stale = false;
    void this.run()
      .catch(() => false)
      .then((done) => {
        this.running = false;
        if (!done) this.stale = true;
        if (!this.again) return;
        this.again = false;
        this.start();
      });
  }

  /** The store's room was joined again: a re-read cut short runs again. */
  resumed(): void {
    if (this.stale && !this.running) this.start();
  }
}
