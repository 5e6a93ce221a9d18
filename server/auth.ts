/** Bearer-token checks for the operator endpoints (`/metrics`, `/admin/*`, `/metrics/cluster`). */
import { createHash, timingSafeEqual } from 'node:crypto';

/** True when an `Authorization` header carries exactly `Bearer <token>` (compared in constant time). */
export function bearerMatches(header: string | undefined, token: string): boolean {
  if (header === undefined) return false;
  const digest = (value: string): Buffer => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(header), digest(`Bearer ${token}`));
}
