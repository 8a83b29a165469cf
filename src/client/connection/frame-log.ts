/**
 * The client's `debug` option: every frame in and out through `console.debug`, with its size in
 * UTF-8 bytes, the time since the socket opened, and for an answer the round trip of the request
 * it answers (matched by `id` → `replyTo`). Tokens and other secrets are redacted (see
 * `util/redact.ts`), and a frame that is not JSON is shown by its size alone. Loaded only for
 * `debug` (see `frame-log-sink.ts`), which hands every call its time.
 *
 *   crm-realtime: frame out join (58 B, +12 ms) {type: 'join', id: 'r3', room: 'customer:42'}
 *   crm-realtime: frame in joined (412 B, +31 ms, round trip 19 ms) {…}
 */
import { redactSecrets } from '../../util/redact.js';
import { LOG_PREFIX } from '../../util/warn.js';

/** Requests remembered for their round trip; older ones (never answered) are forgotten. */
const MAX_PENDING = 256;

const encoder = /* @__PURE__ */ new TextEncoder();

function parse(text: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object'
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

export class FrameLog {
  /** Request id → when it was sent. */
  private readonly sentAt = new Map<string, number>();

  constructor(
    private readonly logger: Pick<Console, 'debug'>,
    /** When the current socket opened (clock ms). */
    private openedAt: number,
  ) {}

  /** A new socket opened at `now`: times count from here, earlier requests will get no answer. */
  opened(now: number): void {
    this.openedAt = now;
    this.sentAt.clear();
  }

  /** A frame about to be sent at `now`. */
  out(text: string, now: number): void {
    const frame = parse(text);
    if (typeof frame?.id === 'string') {
      if (this.sentAt.size >= MAX_PENDING) {
        this.sentAt.delete(this.sentAt.keys().next().value!);
      }
      this.sentAt.set(frame.id, now);
    }
    this.write('out', text, frame, now, undefined);
  }

  /** A frame as the socket delivered it at `now` (before validation). */
  in(data: unknown, now: number): void {
    if (typeof data !== 'string') {
      this.logger.debug(`${LOG_PREFIX} frame in (binary, +${now - this.openedAt} ms)`);
      return;
    }
    const frame = parse(data);
    let roundTrip: number | undefined;
    const replyTo = frame?.replyTo;
    if (typeof replyTo === 'string' && this.sentAt.has(replyTo)) {
      roundTrip = now - this.sentAt.get(replyTo)!;
      this.sentAt.delete(replyTo);
    }
    this.write('in', data, frame, now, roundTrip);
  }

  private write(
    direction: 'in' | 'out',
    text: string,
    frame: Record<string, unknown> | undefined,
    now: number,
    roundTrip: number | undefined,
  ): void {
    const bytes = encoder.encode(text).byteLength;
    const type = typeof frame?.type === 'string' ? frame.type : 'not JSON';
    const timing = `+${now - this.openedAt} ms${roundTrip === undefined ? '' : `, round trip ${roundTrip} ms`}`;
    const line = `${LOG_PREFIX} frame ${direction} ${type} (${bytes} B, ${timing})`;
    if (frame === undefined) this.logger.debug(line);
    else this.logger.debug(line, redactSecrets(frame));
  }
}
