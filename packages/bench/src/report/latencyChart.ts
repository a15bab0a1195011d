import type { LoadScenarioResult } from '../scenarios/loadScenario.ts';
import type { ServerName } from '../targets/chatTarget.ts';
import type { BenchReport, SideBySide } from './benchReport.ts';

// A hand-written SVG: two small panels of line charts need no charting library.

const PANEL = { width: 470, height: 320, left: 74, right: 26, top: 40, bottom: 48 };
const COLORS: Record<ServerName, string> = { parley: '#2563eb', 'socket.io': '#ea580c' };
const LABELS: Record<ServerName, string> = { parley: 'Parley', 'socket.io': 'Socket.IO' };
const TARGET_MS = 50;

interface Series {
  server: ServerName;
  percentile: 'p50' | 'p99';
  points: Array<{ x: number; y: number }>;
}

/** Delivery latency (p50 and p99, log scale) against offered deliveries per second, one panel per load scenario. */
export function renderLatencyChart(report: BenchReport): string {
  const panels: Array<{ title: string; pair: SideBySide<LoadScenarioResult> }> = [];
  if (report.embedded) panels.push({ title: '(a) 1 process, embedded SQLite', pair: report.embedded });
  if (report.cluster) panels.push({ title: '(b) 2 processes, PostgreSQL + Redis', pair: report.cluster });
  if (report.clusterBaseline) panels.push({ title: '(b1) 1 process, PostgreSQL', pair: report.clusterBaseline });
  const width = Math.max(1, panels.length) * PANEL.width;
  const height = PANEL.height + 36;
  const body = panels.map((panel, i) => renderPanel(panel.title, toSeries(panel.pair), i * PANEL.width)).join('\n');
  const legend = renderLegend(PANEL.height + 8);
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="system-ui, sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    body || `<text x="20" y="40">No load scenario in this run.</text>`,
    legend,
    `<text x="${width - 8}" y="${height - 6}" text-anchor="end" fill="#6b7280" font-size="10">${escapeXml(report.command)} · ${report.startedAt.slice(0, 10)}</text>`,
    `</svg>`,
  ].join('\n');
}

function toSeries(pair: SideBySide<LoadScenarioResult>): Series[] {
  const series: Series[] = [];
  for (const server of ['parley', 'socket.io'] as const) {
    const result = pair[server];
    if (!result) continue;
    for (const percentile of ['p50', 'p99'] as const) {
      series.push({
        server,
        percentile,
        points: result.steps.map((s) => ({ x: s.offeredDeliveriesPerSec, y: Math.max(0.1, s.latencyMs[percentile]) })),
      });
    }
  }
  return series;
}

function renderPanel(title: string, series: Series[], offsetX: number): string {
  const plotW = PANEL.width - PANEL.left - PANEL.right;
  const plotH = PANEL.height - PANEL.top - PANEL.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p.x));
  const ys = series.flatMap((s) => s.points.map((p) => p.y)).concat(TARGET_MS);
  const xMax = niceCeiling(Math.max(1, ...xs));
  const yMinExp = Math.floor(Math.log10(Math.min(...ys)));
  const yMaxExp = Math.max(yMinExp + 1, Math.ceil(Math.log10(Math.max(...ys))));
  const x = (v: number) => offsetX + PANEL.left + (v / xMax) * plotW;
  const y = (v: number) => PANEL.top + plotH - ((Math.log10(v) - yMinExp) / (yMaxExp - yMinExp)) * plotH;

  const parts: string[] = [`<text x="${offsetX + PANEL.left}" y="22" font-weight="600" font-size="13">${escapeXml(title)}</text>`];
  for (let e = yMinExp; e <= yMaxExp; e++) {
    const v = 10 ** e;
    parts.push(
      `<line x1="${x(0)}" x2="${x(xMax)}" y1="${y(v)}" y2="${y(v)}" stroke="#e5e7eb"/>`,
      `<text x="${x(0) - 6}" y="${y(v) + 4}" text-anchor="end" fill="#374151">${v >= 1 ? v.toLocaleString('en-US') : v}</text>`,
    );
  }
  for (let i = 0; i <= 4; i++) {
    const v = (xMax / 4) * i;
    parts.push(
      `<line x1="${x(v)}" x2="${x(v)}" y1="${PANEL.top}" y2="${PANEL.top + plotH}" stroke="#f3f4f6"/>`,
      `<text x="${x(v)}" y="${PANEL.top + plotH + 16}" text-anchor="middle" fill="#374151">${Math.round(v).toLocaleString('en-US')}</text>`,
    );
  }
  parts.push(
    `<line x1="${x(0)}" x2="${x(xMax)}" y1="${y(TARGET_MS)}" y2="${y(TARGET_MS)}" stroke="#16a34a" stroke-dasharray="2 3"/>`,
    `<text x="${x(xMax) - 2}" y="${y(TARGET_MS) - 4}" text-anchor="end" fill="#16a34a" font-size="10">p99 target ${TARGET_MS} ms</text>`,
    `<rect x="${x(0)}" y="${PANEL.top}" width="${plotW}" height="${plotH}" fill="none" stroke="#9ca3af"/>`,
    `<text x="${x(xMax / 2)}" y="${PANEL.top + plotH + 34}" text-anchor="middle" fill="#111827">offered deliveries per second</text>`,
    `<text transform="translate(${offsetX + 14} ${PANEL.top + plotH / 2}) rotate(-90)" text-anchor="middle" fill="#111827">delivery latency, ms (log)</text>`,
  );
  for (const s of series) {
    const color = COLORS[s.server];
    const dash = s.percentile === 'p99' ? ' stroke-dasharray="6 4"' : '';
    const path = s.points.map((p, i) => `${i ? 'L' : 'M'}${x(p.x).toFixed(1)},${y(p.y).toFixed(1)}`).join(' ');
    parts.push(`<path d="${path}" fill="none" stroke="${color}" stroke-width="2"${dash}/>`);
    for (const p of s.points) {
      const shape =
        s.percentile === 'p50'
          ? `<circle cx="${x(p.x).toFixed(1)}" cy="${y(p.y).toFixed(1)}" r="3.5" fill="${color}"/>`
          : `<rect x="${(x(p.x) - 3.5).toFixed(1)}" y="${(y(p.y) - 3.5).toFixed(1)}" width="7" height="7" fill="#fff" stroke="${color}" stroke-width="2"/>`;
      parts.push(
        `${shape.slice(0, -2)}><title>${LABELS[s.server]} ${s.percentile}: ${p.y} ms at ${p.x.toLocaleString('en-US')} deliveries/s</title></${shape.startsWith('<circle') ? 'circle' : 'rect'}>`,
      );
    }
  }
  return parts.join('\n');
}

function renderLegend(top: number): string {
  const items = (['parley', 'socket.io'] as const).flatMap((server) => (['p50', 'p99'] as const).map((percentile) => ({ server, percentile })));
  return items
    .map(({ server, percentile }, i) => {
      const x = PANEL.left + i * 135;
      const dash = percentile === 'p99' ? ' stroke-dasharray="6 4"' : '';
      return (
        `<line x1="${x}" x2="${x + 26}" y1="${top + 12}" y2="${top + 12}" stroke="${COLORS[server]}" stroke-width="2"${dash}/>` +
        `<text x="${x + 32}" y="${top + 16}" fill="#111827">${LABELS[server]} ${percentile}</text>`
      );
    })
    .join('\n');
}

function niceCeiling(value: number): number {
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
