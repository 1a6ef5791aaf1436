import client from 'prom-client';
import type { YjsHub } from '../core/YjsHub.ts';

/** Prometheus metrics of one node (`GET /metrics`). */
/** Seconds: from a millisecond on loopback to the retries of a store that went away. */
const LATENCY_BUCKETS = [0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5];

export function createMetrics(nodeId: string) {
  const registry = new client.Registry();
  registry.setDefaultLabels({ node: nodeId });
  client.collectDefaultMetrics({ register: registry });
  const hubRef: { hub: YjsHub | null } = { hub: null };
  const metrics = {
    registry,
    /** Set once the hub exists: connection and document gauges read it when scraped. */
    attach(hub: YjsHub) {
      hubRef.hub = hub;
    },
    connections: new client.Gauge({
      name: 'outpost_yjs_connections',
      help: 'Open Yjs WebSocket connections on this node',
      registers: [registry],
      collect() {
        this.set(hubRef.hub?.stats.connections ?? 0);
      },
    }),
    documents: new client.Gauge({
      name: 'outpost_documents_loaded',
      help: 'Documents in memory on this node',
      registers: [registry],
      collect() {
        this.set(hubRef.hub?.stats.documents ?? 0);
      },
    }),
    updatesStored: new client.Counter({
      name: 'outpost_updates_stored_total',
      help: 'Yjs updates this node appended to the store',
      registers: [registry],
    }),
    storeLatency: new client.Histogram({
      name: 'outpost_store_append_seconds',
      help: 'Time to append one batch of updates durably',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    storeErrors: new client.Counter({
      name: 'outpost_store_errors_total',
      help: 'Appends that failed after retries',
      registers: [registry],
    }),
    relayedOut: new client.Counter({
      name: 'outpost_relay_published_total',
      help: 'Updates published to other nodes through Redis',
      registers: [registry],
    }),
    relayedIn: new client.Counter({
      name: 'outpost_relay_received_total',
      help: 'Updates received from other nodes through Redis',
      registers: [registry],
    }),
    redisLag: new client.Histogram({
      name: 'outpost_redis_lag_seconds',
      help: 'From another node publishing an update to this node receiving it',
      buckets: LATENCY_BUCKETS,
      registers: [registry],
    }),
    caughtUp: new client.Counter({
      name: 'outpost_catchup_updates_total',
      help: 'Updates read back from the store that Redis had not delivered',
      registers: [registry],
    }),
  };
  return metrics;
}

export type Metrics = ReturnType<typeof createMetrics>;
