/**
 * The seam between the edge protocol and whatever carries its messages
 * between instances: direct TCP (one connection per pair of instances),
 * Redis pub/sub (each instance's own channel), or memory (unit tests). A
 * carrier moves opaque messages to a peer, in order, and says when a peer is
 * gone; it knows nothing of rooms or clients.
 */

/** Carries channel messages between this instance and its peers. */
export interface Carrier {
  /** This instance's id (its Colyseus processId). */
  readonly self: string;
  /** True while messages can leave at all (e.g. Redis connected). */
  readonly ready: boolean;
  /** Send one message to `peer`, after every earlier one to it. Never throws: a failure ends in `peerLost`. */
  send(peer: string, message: Buffer): void;
  /** Every message from a peer, in the order that peer sent them. */
  onMessage(handler: (peer: string, message: Buffer) => void): void;
  /** A peer's link is gone: messages to or from it may be lost, so every connection through it must end. */
  onPeerLost(handler: (peer: string) => void): void;
  /** Declare `peer` gone (it left the registry): end its link and tell the handlers. */
  dropPeer(peer: string): void;
  /** Bytes queued to `peer` that have not left this process yet (for backpressure). */
  pendingBytes(peer: string): number;
  stop(): Promise<void>;
}

/** Handler lists every carrier keeps. */
export class CarrierEvents {
  private readonly messageHandlers: Array<(peer: string, message: Buffer) => void> = [];
  private readonly lostHandlers: Array<(peer: string) => void> = [];

  onMessage(handler: (peer: string, message: Buffer) => void): void {
    this.messageHandlers.push(handler);
  }

  onPeerLost(handler: (peer: string) => void): void {
    this.lostHandlers.push(handler);
  }

  message(peer: string, message: Buffer): void {
    for (const handler of this.messageHandlers) handler(peer, message);
  }

  lost(peer: string): void {
    for (const handler of this.lostHandlers) handler(peer);
  }
}

/**
 * In-process carriers for tests: every carrier made by one hub reaches the
 * others, delivering asynchronously (as a network would) and in order.
 */
export class MemoryHub {
  private readonly carriers = new Map<string, MemoryCarrier>();

  carrier(self: string): MemoryCarrier {
    const carrier = new MemoryCarrier(self, this);
    this.carriers.set(self, carrier);
    return carrier;
  }

  /** Kill an instance's carrier: its peers see it lost, as if its process died. */
  kill(self: string): void {
    const dead = this.carriers.get(self);
    if (!dead) return;
    this.carriers.delete(self);
    dead.alive = false;
    for (const other of this.carriers.values()) setImmediate(() => other.events.lost(self));
  }

  /** Cut an instance off without anyone noticing (a silent network partition): its messages vanish both ways. */
  partition(self: string): void {
    this.cutOff.add(self);
  }

  private readonly cutOff = new Set<string>();

  /** @internal */
  deliver(from: string, to: string, message: Buffer): boolean {
    const target = this.carriers.get(to);
    if (!target) return false;
    if (this.cutOff.has(from) || this.cutOff.has(to)) return true;
    setImmediate(() => {
      if (target.alive && this.carriers.get(from)?.alive) target.events.message(from, message);
    });
    return true;
  }
}

export class MemoryCarrier implements Carrier {
  readonly events = new CarrierEvents();
  alive = true;
  /** Messages sent, per peer (tests read it). */
  readonly sent = new Map<string, Buffer[]>();

  constructor(
    readonly self: string,
    private readonly hub: MemoryHub,
  ) {}

  get ready(): boolean {
    return this.alive;
  }

  send(peer: string, message: Buffer): void {
    if (!this.alive) return;
    const list = this.sent.get(peer) ?? [];
    list.push(message);
    this.sent.set(peer, list);
    if (!this.hub.deliver(this.self, peer, message)) setImmediate(() => this.events.lost(peer));
  }

  onMessage(handler: (peer: string, message: Buffer) => void): void {
    this.events.onMessage(handler);
  }

  onPeerLost(handler: (peer: string) => void): void {
    this.events.onPeerLost(handler);
  }

  dropPeer(peer: string): void {
    this.events.lost(peer);
  }

  pendingBytes(): number {
    return 0;
  }

  async stop(): Promise<void> {
    this.hub.kill(this.self);
  }
}
