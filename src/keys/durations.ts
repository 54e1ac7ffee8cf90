// Durations (`90d`, `12h`, `30m`, `45s`, or `0`) and times (ISO 8601) given to
// `codegen keys`: grace periods, expiry, and the age filters of `keys list`.
import { KeysError } from './errors.js';

const UNIT_MS = { d: 86_400_000, h: 3_600_000, m: 60_000, s: 1000 } as const;
const DURATION = /^(\d{1,9})([dhms])$/;
/** Far enough for any key, near enough that `now + duration` is still a Date. */
const MAX_MS = 1000 * 365 * UNIT_MS.d;
/** A calendar date, or a date and time with seconds optional and a zone required. */
const ISO = /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,9})?)?(?:Z|[+-]\d{2}:\d{2}))?$/i;

export const DAY_MS = UNIT_MS.d;

/** Milliseconds of `<n>d`, `<n>h`, `<n>m`, `<n>s` or `0`; a KeysError naming `flag` otherwise. */
export function parseDuration(text: string, flag: string): number {
  if (text === '0') return 0;
  const m = DURATION.exec(text);
  if (m === null) throw new KeysError(`${flag} ${JSON.stringify(text)}: not a duration; write <n>d, <n>h, <n>m or <n>s (e.g. 90d), or 0`);
  const ms = Number(m[1]) * UNIT_MS[m[2] as keyof typeof UNIT_MS];
  if (ms > MAX_MS) throw new KeysError(`${flag} ${JSON.stringify(text)}: at most 1000 years`);
  return ms;
}

/** Epoch ms of an ISO 8601 date (`2026-01-31`, UTC midnight) or date-time with a zone (`2026-01-31T09:00:00Z`). */
export function parseIsoTime(text: string, flag: string): number {
  const ms = ISO.test(text) ? Date.parse(text) : Number.NaN;
  if (!Number.isFinite(ms)) throw new KeysError(`${flag} ${JSON.stringify(text)}: not an ISO 8601 time; write 2026-01-31 or 2026-01-31T09:00:00Z (a date-time needs Z or an offset)`);
  return ms;
}

/** `--expires`: an ISO time, or a duration from `now`. */
export function parseTimeOrDuration(text: string, flag: string, now: number): number {
  if (text === '0' || DURATION.test(text)) return now + parseDuration(text, flag);
  try {
    return parseIsoTime(text, flag);
  } catch {
    throw new KeysError(`${flag} ${JSON.stringify(text)}: neither an ISO 8601 time (2026-01-31T09:00:00Z) nor a duration from now (90d, 12h, 30m, 45s)`);
  }
}

export const isoOf = (ms: number): string => new Date(ms).toISOString();

/** `--quota 1000/1h`: requests per window, as a record's `quota` ({ limit, windowSeconds }). */
export function parseQuota(text: string, flag: string): { readonly limit: number; readonly windowSeconds: number } {
  const m = /^(\d{1,9})\/(.+)$/.exec(text);
  if (m === null) throw new KeysError(`${flag} ${JSON.stringify(text)}: write <requests>/<window>, e.g. 1000/1h or 60/1m`);
  let windowMs: number;
  try {
    windowMs = parseDuration(m[2]!, flag);
  } catch {
    throw new KeysError(`${flag} ${JSON.stringify(text)}: the window is a duration, <n>d, <n>h, <n>m or <n>s (e.g. 1000/1h)`);
  }
  if (windowMs < 1000 || windowMs % 1000 !== 0) throw new KeysError(`${flag} ${JSON.stringify(text)}: the window is whole seconds, at least 1s`);
  return { limit: Number(m[1]), windowSeconds: windowMs / 1000 };
}
