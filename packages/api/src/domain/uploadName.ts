/** How long a stored file name may be, in code points (the extension is kept when it is cut). */
const NAME_MAX_LENGTH = 180;

/**
 * The name a file is shown and downloaded under: the last path part only (a browser may send
 * `C:\fakepath\x`), without control or bidi-override characters (a name must not disguise its extension),
 * trimmed and cut to a bounded length; `file` when nothing is left.
 */
export function cleanUploadName(raw: string): string {
  const base = raw.split(/[/\\]/).pop() ?? '';
  // eslint-disable-next-line no-control-regex -- removing control characters is the point
  const visible = base.replace(/[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '').trim();
  const cleaned = visible.isWellFormed() ? visible : visible.toWellFormed();
  const points = Array.from(cleaned);
  if (points.length === 0 || cleaned === '.' || cleaned === '..') return 'file';
  if (points.length <= NAME_MAX_LENGTH) return cleaned;
  const dot = cleaned.lastIndexOf('.');
  const extension = dot > 0 ? Array.from(cleaned.slice(dot)).slice(0, 16).join('') : '';
  return points.slice(0, NAME_MAX_LENGTH - Array.from(extension).length).join('') + extension;
}
