/**
 * Every use of @colyseus/sdk internals by the bots, in one place: swapping a
 * room's serializer for one that skips the state, and wrapping a room's
 * connection to count frames. {@link checkSdkInternals} (run when a bot run
 * starts) checks the shapes these rely on in the installed SDK, so a release
 * that changes them fails the run with a message naming the version instead
 * of silently miscounting.
 */
import { createRequire } from 'node:module';
import { Room } from '@colyseus/sdk';
import { Connection } from '@colyseus/sdk/Connection';
import { ArenaState } from '../shared/state.ts';

/** The SDK release these shapes were read from. */
export const WRITTEN_FOR_SDK = '0.18.4';

/** The installed `@colyseus/sdk` version, for error messages. */
export function installedSdkVersion(): string {
  try {
    return (createRequire(import.meta.url)('@colyseus/sdk/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** An SDK member the bots rely on is missing or has changed shape. */
export class SdkInternalsError extends Error {
  constructor(what: string, version = installedSdkVersion()) {
    super(
      `Colyseus SDK internals changed: ${what}. Installed @colyseus/sdk ${version}; the bots were written ` +
        `against ${WRITTEN_FOR_SDK}. Update bots/sdkInternals.ts for this version.`,
    );
    this.name = 'SdkInternalsError';
  }
}

/** What the shape check looks at; exported for the tests, which feed it wrong shapes. */
export interface SdkSubjects {
  /** The SDK's Room class source (`Room.toString()`). */
  roomSource: string;
  /** A room constructed with a root schema. */
  room: object;
  /** A fresh connection. */
  connection: object;
}

const sdkSubjects = (): SdkSubjects => ({
  roomSource: Room.toString(),
  room: new Room('probe', ArenaState),
  connection: new Connection(),
});

/**
 * Check every shape this module relies on; throws {@link SdkInternalsError}
 * naming the first that does not hold. Call once before the first bot joins.
 */
export function checkSdkInternals(subjects: SdkSubjects = sdkSubjects(), version = installedSdkVersion()): void {
  const serializer = (subjects.room as { serializer?: Record<string, unknown> }).serializer;
  for (const method of ['setState', 'getState', 'patch', 'teardown']) {
    if (typeof serializer?.[method] !== 'function')
      throw new SdkInternalsError(`a room's serializer has no ${method}() (bots swap in their own)`, version);
  }
  // The swap only works if the room looks its serializer up at every patch rather than keeping a reference.
  if (!subjects.roomSource.includes('this.serializer.patch('))
    throw new SdkInternalsError('Room no longer patches through this.serializer (bots swap it)', version);
  if (!subjects.roomSource.includes('this.connection.events.onmessage'))
    throw new SdkInternalsError('Room no longer receives through connection.events.onmessage (bots count it)', version);
  const connection = subjects.connection as { events?: unknown; send?: unknown };
  if (typeof connection.events !== 'object' || connection.events === null || typeof connection.send !== 'function')
    throw new SdkInternalsError('Connection has no events object or send() (bots count frames through them)', version);
}

/** A serializer that keeps nothing: the state bytes were counted on arrival and are dropped here. */
class SkimSerializer {
  setState(): void {}
  getState(): undefined {
    return undefined;
  }
  patch(): void {}
  teardown(): void {}
  handshake(): void {}
}

/**
 * Stop decoding `room`'s state: the SDK still parses each frame's header
 * (so input acks and its clock work) but hands the state bytes to a
 * serializer that ignores them. Call before the full state arrives (right
 * after joining, synchronously).
 */
export function skimState(room: Room<unknown, ArenaState>): void {
  (room as unknown as { serializer: unknown }).serializer = new SkimSerializer();
}

/** Called with every frame a room's connection receives and sends. */
export interface FrameMeter {
  /** A frame arrived (before the SDK handles it). */
  received(data: ArrayBuffer): void;
  /** A frame is being sent. */
  sent(data: Uint8Array): void;
}

/** Count every frame through `room`'s connection (from now on, until the room is gone). */
export function meterFrames(room: Room<unknown, ArenaState>, meter: FrameMeter): void {
  const connection = room.connection;
  const events = connection.events;
  const onmessage = events.onmessage!;
  events.onmessage = (event: MessageEvent) => {
    meter.received(event.data as ArrayBuffer);
    onmessage(event);
  };
  const send = connection.send.bind(connection);
  connection.send = (data: Uint8Array) => {
    meter.sent(data);
    send(data);
  };
}
