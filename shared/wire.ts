/**
 * Reading a Colyseus frame's first byte, for the server, the edge and the
 * bots alike. The protocol codes themselves come from Colyseus (`Protocol`,
 * exported by both @colyseus/core and @colyseus/sdk); the mask is not
 * exported by either entry point.
 */

/** Low five bits of a frame's first byte: the protocol code (codes are 0..31; the high three bits are modifier flags). */
export const PROTOCOL_CODE_MASK = 0x1f;

/** The protocol code of a frame whose first byte is `firstByte`. */
export function protocolCode(firstByte: number): number {
  return firstByte & PROTOCOL_CODE_MASK;
}
