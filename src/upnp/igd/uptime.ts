/**
 * `NewUptime` of GetStatusInfo in seconds. The spec says a ui4 of seconds; some routers write
 * `0 Days, 01:00:00` or `3d 4h 5m 6s`. Anything else is undefined, not an error: the uptime only
 * matters to tell a reboot, and a router that writes it oddly still maps ports.
 */
export function parseUptime(text: string): number | undefined {
  const trimmed = text.trim();
  if (/^\d{1,10}$/.test(trimmed)) {
    const seconds = Number(trimmed);
    return seconds <= 0xffffffff ? seconds : undefined;
  }
  const clock = /^(?:(\d{1,6})\s*days?,?\s*)?(\d{1,2}):(\d{2}):(\d{2})$/i.exec(trimmed);
  if (clock) return Number(clock[1] ?? 0) * 86400 + Number(clock[2]) * 3600 + Number(clock[3]) * 60 + Number(clock[4]);
  const units = /^(?:(\d{1,6})d)?\s*(?:(\d{1,2})h)?\s*(?:(\d{1,2})m)?\s*(?:(\d{1,2})s)?$/i.exec(trimmed);
  if (units && trimmed !== "") return Number(units[1] ?? 0) * 86400 + Number(units[2] ?? 0) * 3600 + Number(units[3] ?? 0) * 60 + Number(units[4] ?? 0);
  return undefined;
}
