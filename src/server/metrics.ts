/**
 * Counters, gauges and the save-time histogram of the server, rendered as Prometheus text on
 * `/metrics`.
 * Counters are plain numbers so the broadcast hot path pays one addition per fan-out.
 */
import { CLOSE_CODES, type ErrorCode } from '../protocol/index.js';

/**
 * Upper bounds of the save histogram's buckets, in seconds: a save on a local disk answers in a
 * few milliseconds; one behind a CRM's backend (write-through) or a slow disk in hundreds.
 */
const SAVE_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];

/**
 * Close codes counted under their own label: the protocol's (1000–1015) and the server's own. A
 * client picks the code it closes with, any of 3000–4999 included, before it even says hello:
 * each would otherwise add a series to `/metrics` for the life of the process.
 */
function closeLabel(code: number): number | 'other' {
  const standard = code >= 1000 && code <= 1015;
  return standard || (Object.values(CLOSE_CODES) as number[]).includes(code) ? code : 'other';
}

/** A Prometheus histogram: cumulative counts per upper bound, the sum and the count. */
export class Histogram {
  private readonly counts: number[];
  sum = 0;
  count = 0;

  constructor(readonly bounds: readonly number[]) {
    this.counts = bounds.map(() => 0);
  }

  observe(value: number): void {
    this.sum += value;
    this.count++;
    const bucket = this.bounds.findIndex((bound) => value <= bound);
    if (bucket !== -1) this.counts[bucket]!++;
  }

  /** `le` samples (cumulative, `+Inf` last), then `_sum` and `_count`, for `block`. */
  samples(name: string): [series: string, value: number][] {
    let cumulative = 0;
    const buckets = this.bounds.map((bound, i): [string, number] => {
      cumulative += this.counts[i]!;
      return [`${name}_bucket{le="${bound}"}`, cumulative];
    });
    return [
      ...buckets,
      [`${name}_bucket{le="+Inf"}`, this.count],
      [`${name}_sum`, this.sum],
      [`${name}_count`, this.count],
    ];
  }
}

export class ServerMetrics {
  /** WebSocket connections accepted since start. */
  connectionsOpened = 0;
  /** Connections closed, by close code (`other`: a code neither the protocol's nor ours). */
  readonly connectionsClosed = new Map<number | 'other', number>();
  /** Frames received from clients (every message, valid or not). */
  framesIn = 0;
  /** Bytes received from clients. */
  bytesIn = 0;
  /** Frames sent to clients, broadcasts counted once per recipient. */
  framesOut = 0;
  /** Error frames sent, by code. */
  readonly errors = new Map<ErrorCode, number>();
  /** Room events published (each counted once, however many members). */
  eventsPublished = 0;
  /** Frames written by fan-out (events and presence diffs), one per recipient. */
  broadcastDeliveries = 0;
  /** Events sent again to resuming clients. */
  eventsReplayed = 0;
  /** Joins answered with `resume: 'gap'`. */
  resumeGaps = 0;
  /** Handshakes refused (bad token, dev identity refused, version). */
  authFailures = 0;
  /** Upgrades refused with 429 because their address failed too many handshakes. */
  handshakesThrottled = 0;
  /** Upgrades refused (429) because their address had too many handshakes in flight. */
  handshakesOverLimit = 0;
  /** Sockets closed on connect because their address had too many plain HTTP sockets open. */
  httpSocketsOverLimit = 0;
  /** Upgrades refused (503) while the process could not serve a socket (its Redis away). */
  handshakesUnavailable = 0;
  /** Handshakes refused because their user had too many sockets open to this process. */
  userConnectionsOverLimit = 0;
  /** Revocations a backend asked for (`POST /api/users/:id/disconnect`), one per call. */
  tokensRevoked = 0;
  /** Connections closed because a backend ended their user's sessions. */
  connectionsEndedByApi = 0;
  /** Handshakes refused because their token was issued before its user's revocation. */
  revokedTokensRefused = 0;
  /** Rooms connections were taken out of because their user's permissions changed. */
  roomsRevoked = 0;
  /**
   * Questions to the authorization callback refused for now (`rate_limited`) because their user
   * was over the per-user bound, instead of being asked.
   */
  authorizeCallbackLimited = 0;
  /** Sockets terminated because they did not answer pings. */
  heartbeatTimeouts = 0;
  /** Sockets terminated because their send buffer grew past the limit. */
  slowConsumers = 0;
  /** Exceptions caught around frame handlers (should stay 0). */
  handlerFailures = 0;
  /** Entity writes (clients and backends), by outcome. */
  readonly entityWrites = new Map<EntityWriteOutcome, number>();
  /** Entities deleted because the CRM deleted them (a delete of an unknown entity is not counted). */
  entitiesDeleted = 0;
  /** Notifications stored, and the recipient rows they made. */
  notificationsSent = 0;
  notificationRecipients = 0;
  /** Activity items appended. */
  activityAppended = 0;
  /** Webhook deliveries answered 2xx, attempts that failed, deliveries that went dead. */
  webhooksDelivered = 0;
  webhookAttemptsFailed = 0;
  webhooksDead = 0;
  /** Client saves answered as applied: how long from the frame's arrival to the answer. */
  readonly saveSeconds = new Histogram(SAVE_BUCKETS);

  countError(code: ErrorCode): void {
    this.errors.set(code, (this.errors.get(code) ?? 0) + 1);
  }

  countEntityWrite(outcome: EntityWriteOutcome): void {
    this.entityWrites.set(outcome, (this.entityWrites.get(outcome) ?? 0) + 1);
  }

  countClose(code: number): void {
    const label = closeLabel(code);
    this.connectionsClosed.set(label, (this.connectionsClosed.get(label) ?? 0) + 1);
  }
}

/** How an entity write ended: a new version, a replayed mutation, no change, or refused. */
export type EntityWriteOutcome =
  'applied' | 'duplicate' | 'unchanged' | 'conflict' | 'not_found' | 'too_large';

/** What the capabilities count; the server passes its `ServerMetrics`. */
export type CapabilityMetrics = Pick<
  ServerMetrics,
  | 'countEntityWrite'
  | 'entitiesDeleted'
  | 'notificationsSent'
  | 'notificationRecipients'
  | 'activityAppended'
>;

/** Whether each dependency can serve now; `redis` only when Redis is configured. */
export interface DependencyStates {
  database: boolean;
  redis?: boolean | undefined;
}

export interface MetricGauges {
  connections: number;
  rooms: number;
  presenceRooms: number;
  uptimeSeconds: number;
  /** The dependencies `/healthz` asks about, each up or down now. */
  dependencies: DependencyStates;
  /** What `/healthz` answers now: true for 200. */
  ready: boolean;
  /** Webhook deliveries pending and dead now; undefined when no webhook is configured. */
  webhooks?: { pending: number; dead: number } | undefined;
}

type Sample = [labels: string, value: number];

/** One metric: name, type, help, and its samples (a number is one sample without labels). */
type Metric =
  | [name: string, type: 'counter' | 'gauge', help: string, value: number | Sample[]]
  | [name: string, type: 'histogram', help: string, value: Histogram];

function block([name, type, help, value]: Metric): string {
  const lines = [`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`];
  if (value instanceof Histogram) {
    for (const [series, sample] of value.samples(name)) lines.push(`${series} ${sample}`);
  } else {
    const samples: Sample[] = typeof value === 'number' ? [['', value]] : value;
    for (const [labels, sample] of samples) lines.push(`${name}${labels} ${sample}`);
  }
  return lines.join('\n');
}

function labelled<K extends string | number>(label: string, map: Map<K, number>): Sample[] {
  return [...map].map(([key, value]) => [`{${label}="${String(key)}"}`, value]);
}

/** Prometheus text exposition format, version 0.0.4. */
export function renderMetrics(m: ServerMetrics, g: MetricGauges): string {
  const metrics: Metric[] = [
    ['crm_connections', 'gauge', 'Open WebSocket connections.', g.connections],
    ['crm_rooms', 'gauge', 'Rooms with at least one member on this process.', g.rooms],
    ['crm_presence_rooms', 'gauge', 'Rooms holding presence on this process.', g.presenceRooms],
    ['crm_uptime_seconds', 'gauge', 'Seconds since the server started.', g.uptimeSeconds],
    [
      'crm_ready',
      'gauge',
      'Whether /healthz answers 200 (1) or 503 (0): every dependency up and not shutting down.',
      g.ready ? 1 : 0,
    ],
    [
      'crm_dependency_up',
      'gauge',
      'Whether a dependency the health check asks about can serve (1) or not (0).',
      Object.entries(g.dependencies).flatMap(([name, up]): Sample[] =>
        up === undefined ? [] : [[`{dependency="${name}"}`, up ? 1 : 0]],
      ),
    ],
    [
      'crm_connections_opened_total',
      'counter',
      'WebSocket connections accepted.',
      m.connectionsOpened,
    ],
    [
      'crm_connections_closed_total',
      'counter',
      'WebSocket connections closed, by close code.',
      labelled('code', m.connectionsClosed),
    ],
    ['crm_frames_in_total', 'counter', 'Frames received from clients.', m.framesIn],
    ['crm_bytes_in_total', 'counter', 'Bytes received from clients.', m.bytesIn],
    ['crm_frames_out_total', 'counter', 'Frames sent to clients.', m.framesOut],
    ['crm_errors_total', 'counter', 'Error frames sent, by code.', labelled('code', m.errors)],
    ['crm_events_published_total', 'counter', 'Room events published.', m.eventsPublished],
    [
      'crm_broadcast_deliveries_total',
      'counter',
      'Broadcast frames written, one per recipient.',
      m.broadcastDeliveries,
    ],
    [
      'crm_events_replayed_total',
      'counter',
      'Events replayed to resuming clients.',
      m.eventsReplayed,
    ],
    [
      'crm_resume_gaps_total',
      'counter',
      'Joins whose resume point was out of the buffer.',
      m.resumeGaps,
    ],
    ['crm_auth_failures_total', 'counter', 'Handshakes refused.', m.authFailures],
    [
      'crm_handshakes_throttled_total',
      'counter',
      'Upgrades refused (429) from addresses with too many failed handshakes.',
      m.handshakesThrottled,
    ],
    [
      'crm_handshakes_over_limit_total',
      'counter',
      'Upgrades refused (429) from addresses with too many handshakes in flight.',
      m.handshakesOverLimit,
    ],
    [
      'crm_http_sockets_over_limit_total',
      'counter',
      'Sockets closed on connect from addresses with too many plain HTTP sockets open.',
      m.httpSocketsOverLimit,
    ],
    [
      'crm_handshakes_unavailable_total',
      'counter',
      'Upgrades refused (503) while Redis was away or refused writes.',
      m.handshakesUnavailable,
    ],
    [
      'crm_user_connections_over_limit_total',
      'counter',
      'Handshakes refused because their user had too many sockets open to this process.',
      m.userConnectionsOverLimit,
    ],
    [
      'crm_tokens_revoked_total',
      'counter',
      "Revocations of a user's tokens a backend asked for (POST /api/users/:id/disconnect).",
      m.tokensRevoked,
    ],
    [
      'crm_connections_ended_by_api_total',
      'counter',
      "Connections closed because a backend ended their user's sessions.",
      m.connectionsEndedByApi,
    ],
    [
      'crm_revoked_tokens_refused_total',
      'counter',
      "Handshakes refused because the token was issued before its user's revocation.",
      m.revokedTokensRefused,
    ],
    [
      'crm_rooms_revoked_total',
      'counter',
      "Rooms connections were taken out of because their user's permissions changed.",
      m.roomsRevoked,
    ],
    [
      'crm_authorize_callback_limited_total',
      'counter',
      'Authorization callback questions refused (rate_limited) because their user asked too many.',
      m.authorizeCallbackLimited,
    ],
    [
      'crm_heartbeat_timeouts_total',
      'counter',
      'Sockets dropped for missed pings.',
      m.heartbeatTimeouts,
    ],
    [
      'crm_slow_consumers_total',
      'counter',
      'Sockets dropped for a full send buffer.',
      m.slowConsumers,
    ],
    [
      'crm_handler_failures_total',
      'counter',
      'Exceptions caught in frame handlers.',
      m.handlerFailures,
    ],
    [
      'crm_entity_writes_total',
      'counter',
      'Entity writes from clients and backends, by outcome.',
      labelled('outcome', m.entityWrites),
    ],
    [
      'crm_entities_deleted_total',
      'counter',
      'Entities deleted because the CRM deleted them.',
      m.entitiesDeleted,
    ],
    ['crm_notifications_sent_total', 'counter', 'Notifications stored.', m.notificationsSent],
    [
      'crm_notification_recipients_total',
      'counter',
      'Recipient rows of stored notifications.',
      m.notificationRecipients,
    ],
    ['crm_activity_appended_total', 'counter', 'Activity items appended.', m.activityAppended],
    [
      'crm_entity_save_seconds',
      'histogram',
      'Client saves applied: from the frame arriving to its answer (published and durable).',
      m.saveSeconds,
    ],
  ];
  if (g.webhooks) {
    metrics.push(
      [
        'crm_webhook_pending',
        'gauge',
        'Webhook deliveries waiting (incl. retries).',
        g.webhooks.pending,
      ],
      [
        'crm_webhook_dead',
        'gauge',
        'Webhook deliveries that used up their attempts.',
        g.webhooks.dead,
      ],
      [
        'crm_webhook_delivered_total',
        'counter',
        'Webhook deliveries answered 2xx.',
        m.webhooksDelivered,
      ],
      [
        'crm_webhook_failed_total',
        'counter',
        'Webhook attempts that failed.',
        m.webhookAttemptsFailed,
      ],
      ['crm_webhook_dead_total', 'counter', 'Webhook deliveries that went dead.', m.webhooksDead],
    );
  }
  return metrics.map(block).join('\n') + '\n';
}
