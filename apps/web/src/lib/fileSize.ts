const UNITS = ['KB', 'MB', 'GB'];

/** A size for people: "512 B", "1.2 MB", "25 MB" (1024-based, as file managers and the 25 MB limit count). */
export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit++;
  }
  // One decimal below 10 ("1.2 MB"), none above ("25 MB"); a trailing ".0" says nothing.
  const shown = value < 10 ? value.toFixed(1).replace(/\.0$/, '') : String(Math.round(value));
  return `${shown} ${UNITS[unit]}`;
}
