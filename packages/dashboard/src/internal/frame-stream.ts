import type { ServerResponse } from 'node:http';
import type { Clock, ClockTimer } from '@bulwark/core';
import type { DashboardState } from './dashboard-state.js';

/** How often frames go out at most: 4 a second, shared by every client. */
export const frameIntervalMs = 250;
/** Frames kept for `Last-Event-ID` replay: a minute at the full rate. */
const ringSize = 240;
/** A client whose unsent output passes this is dropped; it reconnects and gets a snapshot. */
const maxBufferedBytes = 8 * 1024 * 1024;
/** A comment line keeps idle connections (and proxies) open. */
const keepAliveMs = 15_000;

interface Frame {
  seq: number;
  text: string;
}

/**
 * The compact state stream of `GET /events`. A client first gets a `snapshot` (everything the
 * page shows), then a `patch` at most every 250 ms with only what changed: requests to upsert
 * or remove, totals, new chart points, alerts, new failures. Patches carry absolute values, so
 * applying one twice changes nothing. Every frame has an id `epoch-seq`; a reconnecting client
 * sends the last one it saw (`Last-Event-ID`) and gets the frames it missed from a ring of the
 * last 240, or a fresh snapshot when they are gone (or the server restarted: another epoch).
 */
export class FrameStream {
  private readonly clients = new Set<ServerResponse>();
  private readonly ring: Frame[] = [];
  private seq = 0;
  private lastPointT = 0;
  private timer: ClockTimer | undefined;
  private lastWriteAt = 0;
  private readonly epoch: string;

  constructor(
    private readonly state: DashboardState,
    private readonly clock: Clock,
    private readonly title: string,
    private readonly beforeFrame: () => void,
  ) {
    this.epoch = clock.now().toString(36) + Math.random().toString(36).slice(2, 6);
  }

  /** The id of the latest frame (what a client that saw everything sent last has). */
  get lastEventId(): string {
    return `${this.epoch}-${this.seq}`;
  }

  get clientCount(): number {
    return this.clients.size;
  }

  /** Opens an SSE response and sends what the client missed. */
  connect(response: ServerResponse, lastEventId: string | undefined): void {
    response.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    response.write('retry: 1000\n\n');
    if (this.clients.size === 0) this.resume();
    const replay = this.replayAfter(lastEventId);
    if (replay) for (const frame of replay) response.write(frame.text);
    else response.write(this.snapshotText());
    this.clients.add(response);
    response.on('close', () => this.disconnect(response));
  }

  /** Ends every client (they reconnect on their own) and stops the timer. */
  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    for (const client of this.clients) client.end();
    this.clients.clear();
  }

  private disconnect(response: ServerResponse): void {
    this.clients.delete(response);
    if (this.clients.size === 0) {
      this.timer?.cancel();
      this.timer = undefined;
    }
  }

  /** After a time without clients, frames were not made: the ring no longer tells everything. */
  private resume(): void {
    this.ring.length = 0;
    this.state.requests.takeChanges();
    this.state.totals.changed = false;
    this.state.newFailures = [];
    this.state.alertsChanged = false;
    this.lastPointT = this.state.series.lastCompleted();
    this.schedule();
  }

  private schedule(): void {
    this.timer = this.clock.setTimeout(() => {
      this.timer = undefined;
      this.tick();
      if (this.clients.size > 0) this.schedule();
    }, frameIntervalMs);
  }

  private replayAfter(lastEventId: string | undefined): Frame[] | undefined {
    if (!lastEventId) return undefined;
    const [epoch, seqText] = lastEventId.split('-');
    const seq = Number(seqText);
    if (epoch !== this.epoch || !Number.isInteger(seq) || seq > this.seq) return undefined;
    if (seq === this.seq) return [];
    const first = this.ring[0];
    if (!first || first.seq > seq + 1) return undefined;
    return this.ring.filter((frame) => frame.seq > seq);
  }

  private snapshotText(): string {
    const { state } = this;
    const nowMs = this.clock.now();
    const data = {
      title: this.title,
      now: nowMs,
      requests: state.requests.rows(),
      totals: state.totals.snapshot(),
      points: state.series.completedSince(nowMs, 0),
      alerts: { active: [...state.activeAlerts.values()], history: state.alertHistory },
      failures: state.failures,
    };
    return `id: ${this.lastEventId}\nevent: snapshot\ndata: ${JSON.stringify(data)}\n\n`;
  }

  /** Makes the next patch, if anything changed, and writes it to every client. */
  private tick(): void {
    this.beforeFrame();
    const { state } = this;
    const nowMs = this.clock.now();
    const { upserts, removed } = state.requests.takeChanges();
    const points = state.series.completedSince(nowMs, this.lastPointT);
    const patch: Record<string, unknown> = { now: nowMs };
    if (upserts.length > 0) patch.upserts = upserts;
    if (removed.length > 0) patch.removed = removed;
    if (points.length > 0) {
      patch.points = points;
      this.lastPointT = points.at(-1)!.t;
    }
    if (state.totals.changed) patch.totals = state.totals.snapshot();
    if (state.alertsChanged)
      patch.alerts = { active: [...state.activeAlerts.values()], history: state.alertHistory };
    if (state.newFailures.length > 0) patch.failures = state.newFailures;
    state.totals.changed = false;
    state.alertsChanged = false;
    state.newFailures = [];
    if (Object.keys(patch).length === 1) {
      if (nowMs - this.lastWriteAt >= keepAliveMs) this.write(': keep-alive\n\n');
      return;
    }
    this.seq += 1;
    const frame = {
      seq: this.seq,
      text: `id: ${this.epoch}-${this.seq}\nevent: patch\ndata: ${JSON.stringify(patch)}\n\n`,
    };
    this.ring.push(frame);
    if (this.ring.length > ringSize) this.ring.shift();
    this.write(frame.text);
  }

  private write(text: string): void {
    this.lastWriteAt = this.clock.now();
    for (const client of this.clients) {
      if (client.writableLength > maxBufferedBytes) {
        client.destroy();
        continue;
      }
      client.write(text);
    }
  }
}
