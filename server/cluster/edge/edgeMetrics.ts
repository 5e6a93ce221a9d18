/**
 * Edge channel metrics: what crosses between instances (messages and bytes
 * per peer and direction), how many clients a fanned-out frame reaches, how
 * many sockets this instance holds for rooms elsewhere, and the share of its
 * own rooms' players that reach them through another instance.
 */
import { matchMaker } from '@colyseus/core';
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EdgeStats } from './edgeNode.ts';

/** Register the edge metrics on `registry`; `read` is called at scrape time (undefined outside cluster mode). */
export function registerEdgeMetrics(registry: Registry, read: () => EdgeStats | undefined): void {
  const registers = [registry];
  const perPeer = (name: string, help: string, field: 'messages' | 'bytes') =>
    new Counter({
      name,
      help,
      labelNames: ['peer', 'direction'],
      registers,
      collect() {
        const stats = read();
        this.reset();
        if (!stats) return;
        for (const [peer, counts] of stats.sent) this.inc({ peer, direction: 'out' }, counts[field]);
        for (const [peer, counts] of stats.received) this.inc({ peer, direction: 'in' }, counts[field]);
      },
    });
  perPeer('arena_edge_channel_messages_total', 'Edge channel messages exchanged with each peer instance', 'messages');
  perPeer('arena_edge_channel_bytes_total', 'Edge channel bytes exchanged with each peer instance', 'bytes');
  const counter = (name: string, help: string, value: (s: EdgeStats) => number) =>
    new Counter({
      name,
      help,
      registers,
      collect() {
        const stats = read();
        this.reset();
        if (stats) this.inc(value(stats));
      },
    });
  counter(
    'arena_edge_fanout_frames_total',
    'Client frames sent as part of a fanned-out channel operation (one copy crossed for all of them)',
    (s) => s.fanoutFrames,
  );
  counter(
    'arena_edge_fanout_operations_total',
    'Fanned-out channel operations; frames / operations = recipients per fanned-out frame',
    (s) => s.fanoutOps,
  );
  const gauge = (name: string, help: string, value: (s: EdgeStats) => number) =>
    new Gauge({
      name,
      help,
      registers,
      collect() {
        const stats = read();
        this.set(stats ? value(stats) : 0);
      },
    });
  gauge('arena_edge_sockets', 'Client sockets held here for rooms owned by other instances', (s) => s.edgeSockets);
  gauge(
    'arena_edge_remote_clients',
    'Clients of rooms here whose sockets are held by other instances',
    (s) => s.remoteClients,
  );
  gauge(
    'arena_forwarded_share',
    "Share of this instance's room clients that reach it through another instance (0..1)",
    (s) => {
      const ccu = matchMaker.stats.local.ccu;
      return ccu > 0 ? Math.min(1, s.remoteClients / ccu) : 0;
    },
  );
}
