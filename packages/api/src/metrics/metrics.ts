import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What Parley counts, on its own registry (no prom-client global), exposed by the server at /metrics. */
export interface Metrics {
  registry: Registry;
  messagesSent: Counter;
  messagesDelivered: Counter;
  /** Seconds from a message's commit (createdAt) to its delivery to a subscriber by this process. */
  deliveryLatency: Histogram;
  liveSubscriptions: Gauge;
  busReconnects: Counter;
  rateLimited: Counter<'limit'>;
  /** Requests and sockets turned away at the transport (batch too large, too many sockets, no auth in time, ...). */
  refusals: Counter<'reason'>;
  /** Users coming online or going offline, as announced by this process. */
  presenceChanges: Counter<'to'>;
  /** thread.typing calls fanned out, or dropped by the per-user-per-thread throttle. */
  typingNotices: Counter<'outcome'>;
}

/** `openSockets` is read when scraped, so the socket count is never a second source of truth. */
export function createMetrics(options: { openSockets: () => number; defaultMetrics?: boolean }): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry, prefix: 'parley_' });
  new Gauge({
    name: 'parley_open_sockets',
    help: 'Open WebSocket connections in this process',
    registers: [registry],
    collect() {
      this.set(options.openSockets());
    },
  });
  return {
    registry,
    messagesSent: new Counter({ name: 'parley_messages_sent_total', help: 'Messages stored by message.send', registers: [registry] }),
    messagesDelivered: new Counter({
      name: 'parley_messages_delivered_total',
      help: 'Messages yielded to thread.onMessage subscribers (backlog and live)',
      registers: [registry],
    }),
    deliveryLatency: new Histogram({
      name: 'parley_delivery_latency_seconds',
      help: 'From commit to delivery to a live subscriber in this process',
      buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    liveSubscriptions: new Gauge({ name: 'parley_live_subscriptions', help: 'Open thread.onMessage subscriptions', registers: [registry] }),
    busReconnects: new Counter({ name: 'parley_bus_reconnects_total', help: 'Times the Redis bus subscriber reconnected', registers: [registry] }),
    rateLimited: new Counter({
      name: 'parley_rate_limited_total',
      help: 'Requests refused by a limit',
      labelNames: ['limit'],
      registers: [registry],
    }),
    refusals: new Counter({
      name: 'parley_refusals_total',
      help: 'Requests and sockets refused at the transport, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
    presenceChanges: new Counter({
      name: 'parley_presence_changes_total',
      help: 'Users announced online or offline by this process',
      labelNames: ['to'],
      registers: [registry],
    }),
    typingNotices: new Counter({
      name: 'parley_typing_notices_total',
      help: 'thread.typing calls: sent to the thread, or throttled',
      labelNames: ['outcome'],
      registers: [registry],
    }),
  };
}
