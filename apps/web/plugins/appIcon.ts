/**
 * Parley's icon, drawn once here for every size: a white speech bubble on the brand blue. The favicon
 * (SVG) and the manifest's PNGs come from the same shapes, in a 32-unit square.
 */
export const BRAND_BLUE = '#1d4ed8';
const BLUE = [0x1d, 0x4e, 0xd8] as const;
const UNITS = 32;
const CORNER = 8;
/** The bubble and its tail, clockwise; inside the maskable safe zone (a circle of 40% of the size) too. */
const BUBBLE: ReadonlyArray<readonly [number, number]> = [
  [9, 10],
  [23, 10],
  [23, 19],
  [15, 19],
  [11, 23],
  [11, 19],
  [9, 19],
];

export function appIconSvg(): string {
  const points = BUBBLE.map(([x, y]) => `${x},${y}`).join(' ');
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="512" height="512" viewBox="0 0 ${UNITS} ${UNITS}">` +
    `<rect width="${UNITS}" height="${UNITS}" rx="${CORNER}" fill="${BRAND_BLUE}"/>` +
    `<polygon points="${points}" fill="#ffffff"/></svg>`
  );
}

/**
 * The icon as RGBA pixels, `size` by `size`, each pixel sampled 4×4 times for smooth edges. A maskable
 * icon fills the whole square: the platform cuts its own shape out of it.
 */
export function appIconPixels(size: number, { isMaskable = false } = {}): Uint8Array {
  const pixels = new Uint8Array(size * size * 4);
  const samples = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let background = 0;
      let bubble = 0;
      for (let sy = 0; sy < samples; sy++) {
        for (let sx = 0; sx < samples; sx++) {
          const x = ((px + (sx + 0.5) / samples) / size) * UNITS;
          const y = ((py + (sy + 0.5) / samples) / size) * UNITS;
          if (isMaskable || isInRoundedSquare(x, y)) background++;
          if (isInPolygon(x, y)) bubble++;
        }
      }
      const total = samples * samples;
      const white = bubble / total;
      const offset = (py * size + px) * 4;
      for (let channel = 0; channel < 3; channel++) {
        pixels[offset + channel] = Math.round((BLUE[channel] ?? 0) * (1 - white) + 255 * white);
      }
      pixels[offset + 3] = Math.round((Math.max(background, bubble) / total) * 255);
    }
  }
  return pixels;
}

function isInRoundedSquare(x: number, y: number): boolean {
  const dx = Math.max(CORNER - x, 0, x - (UNITS - CORNER));
  const dy = Math.max(CORNER - y, 0, y - (UNITS - CORNER));
  return dx * dx + dy * dy <= CORNER * CORNER;
}

function isInPolygon(x: number, y: number): boolean {
  let isInside = false;
  for (let i = 0, j = BUBBLE.length - 1; i < BUBBLE.length; j = i++) {
    const [xi, yi] = BUBBLE[i] ?? [0, 0];
    const [xj, yj] = BUBBLE[j] ?? [0, 0];
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) isInside = !isInside;
  }
  return isInside;
}
