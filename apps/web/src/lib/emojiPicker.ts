// Only the URL is bundled: Vite copies the emoji data as a hashed static asset, so the picker fetches it
// from this server (no CDN, which the CSP would refuse anyway) and only when first opened.
import dataSource from 'emoji-picker-element-data/en/emojibase/data.json?url';

/**
 * The picker draws with a <style> element in its shadow root and a few inline style attributes; the
 * server's CSP (style-src 'self') refuses both. Its own rules go in as a constructed stylesheet instead
 * (CSSOM is not subject to style-src), plus rules that stand in for the inline styles it relies on:
 * the category bar's column count and the sliding tab indicator.
 */
const STAND_IN_RULES = `
  .nav { grid-auto-flow: column; grid-auto-columns: 1fr; }
  .indicator-wrapper { border-bottom: 1px solid var(--border-color); }
  .indicator { display: none; }
  .nav-button[aria-selected='true'] { box-shadow: inset 0 -3px 0 var(--indicator-color); }
  .skintone-list.hidden { display: none; }
`;

/** A new `<emoji-picker>` element; the module (and its ~20 kB of code) is loaded on the first call. */
export async function createEmojiPicker(): Promise<HTMLElement> {
  const { Picker } = await import('emoji-picker-element');
  const picker = new Picker({ dataSource });
  const root = picker.shadowRoot;
  const style = root?.querySelector('style');
  if (root && style) {
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`${style.textContent ?? ''}${STAND_IN_RULES}`);
    // Removed before the element is connected, so the browser never evaluates (and refuses) it.
    style.remove();
    root.adoptedStyleSheets = [sheet];
  }
  return picker;
}

/** The emoji a picker's `emoji-click` event chose (custom emoji have none; Parley has no custom emoji). */
export function pickedEmoji(event: Event): string | null {
  const detail = (event as CustomEvent<{ unicode?: string }>).detail;
  return detail?.unicode ?? null;
}
