/** Instance addresses, as peers advertise them in the registry (`ADVERTISE_ADDRESS`). */

/** Parse `host:port` (IPv6 hosts in brackets). */
export function parseAddress(address: string): { host: string; port: number } {
  const match = /^\[?([^\]]+?)\]?:(\d+)$/u.exec(address);
  if (!match) throw new Error(`bad instance address "${address}": expected host:port`);
  return { host: match[1]!, port: Number(match[2]) };
}
