import { badgeLabel, documentTitle } from './unreadBadge.ts';

const SIZE = 64;
const BADGE_COLOR = '#dc2626';

let baseIcon: { href: string; image: Promise<HTMLImageElement> } | null = null;
let generation = 0;
let shownTotal = 0;

/** Shows `total` unread messages in the tab: in the title, and as a badge drawn on the favicon. 0 clears both. */
export function showUnreadInTab(total: number): void {
  if (total === shownTotal) return;
  shownTotal = total;
  document.title = documentTitle(total);
  void drawFavicon(badgeLabel(total));
}

async function drawFavicon(label: string | null): Promise<void> {
  const link = document.querySelector<HTMLLinkElement>('link[rel~="icon"]');
  if (!link) return;
  // The attribute as index.html has it, to put back exactly; the resolved URL to load.
  baseIcon ??= { href: link.getAttribute('href') ?? link.href, image: loadImage(link.href) };
  const drawing = ++generation;
  if (!label) {
    link.href = baseIcon.href;
    return;
  }
  try {
    const image = await baseIcon.image;
    // A newer count (or a clear) came while the icon loaded: that one wins.
    if (drawing !== generation) return;
    link.href = withBadge(image, label);
  } catch {
    // No canvas or an icon that did not load: the title still shows the count.
  }
}

function withBadge(image: HTMLImageElement, label: string): string {
  const canvas = document.createElement('canvas');
  canvas.width = SIZE;
  canvas.height = SIZE;
  const context = canvas.getContext('2d');
  if (!context) throw new Error('no 2d canvas');
  context.drawImage(image, 0, 0, SIZE, SIZE);
  const radius = SIZE * 0.3;
  const [x, y] = [SIZE - radius, radius];
  context.beginPath();
  context.arc(x, y, radius + 3, 0, 2 * Math.PI);
  context.fillStyle = '#ffffff';
  context.fill();
  context.beginPath();
  context.arc(x, y, radius, 0, 2 * Math.PI);
  context.fillStyle = BADGE_COLOR;
  context.fill();
  context.fillStyle = '#ffffff';
  context.font = `bold ${label.length > 1 ? 22 : 30}px system-ui, sans-serif`;
  context.textAlign = 'center';
  context.textBaseline = 'middle';
  context.fillText(label, x, y + 2);
  return canvas.toDataURL('image/png');
}

function loadImage(href: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const image = new Image();
    image.onload = () => resolve(image);
    image.onerror = () => reject(new Error(`the icon ${href.slice(0, 40)} did not load`));
    image.src = href;
  });
}
