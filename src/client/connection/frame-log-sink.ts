/**
 * The client's `debug` option: the frame log (`frame-log.ts`) loads by dynamic import only when
 * it is set, so a client without `debug` never downloads its formatting and the secrets'
 * redaction. Calls made before it is here (the first `hello` goes out at once) are kept with
 * their times and written in order once it is, so the log reads the same either way.
 */
import type { Clock } from '../../util/clock.js';
import { warn } from '../../util/warn.js';
import type { FrameLog } from './frame-log.js';

/** What the socket tells the log: a socket opened, a frame out, a frame in. */
export interface FrameLogSink {
  opened(): void;
  out(text: string): void;
  in(data: unknown): void;
}

type Call = ['opened', undefined, number] | ['out', string, number] | ['in', unknown, number];

/** Calls kept while the log's code loads; a client that sends more before it is here drops them. */
const MAX_EARLY = 1000;

/** The frame log of a client's options: none unless `debug`; `logger.debug` if it has one. */
export function frameLogFor(
  debug: boolean | undefined,
  clock: Pick<Clock, 'now'>,
  logger: Partial<Pick<Console, 'debug'>> | undefined,
): FrameLogSink | undefined {
  if (!debug) return undefined;
  const sink = logger?.debug ? (logger as Pick<Console, 'debug'>) : console;
  const createdAt = clock.now();
  let log: FrameLog | undefined;
  let early: Call[] | undefined = [];
  const play = ([kind, data, at]: Call) => {
    if (kind === 'opened') log!.opened(at);
    else if (kind === 'out') log!.out(data, at);
    else log!.in(data, at);
  };
  const record = (call: Call) => {
    if (log) play(call);
    else if (early && early.length < MAX_EARLY) early.push(call);
  };
  void import('./frame-log.js').then(
    (module) => {
      log = new module.FrameLog(sink, createdAt);
      early?.forEach(play);
      early = undefined;
    },
    (error: unknown) => {
      early = undefined;
      warn('debug: the frame log could not be loaded, so frames are not logged.', error);
    },
  );
  return {
    opened: () => record(['opened', undefined, clock.now()]),
    out: (text) => record(['out', text, clock.now()]),
    in: (data) => record(['in', data, clock.now()]),
  };
}
