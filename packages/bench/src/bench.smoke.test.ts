import { describe, expect, it } from 'vitest';
import { planFor } from './benchPlan.ts';
import { renderLatencyChart } from './report/latencyChart.ts';
import { renderMarkdownReport } from './report/markdownReport.ts';
import { runBench } from './runBench.ts';

// The bench's own machinery at tiny scale against both servers: no timing is asserted, only that every
// scenario runs, the report has its fields, and Parley loses and duplicates nothing, disconnects included.
describe('pnpm bench at tiny scale', () => {
  it('runs every scenario against Parley and Socket.IO, and Parley loses nothing', { timeout: 240_000 }, async () => {
    const report = await runBench(planFor('tiny'), { command: 'vitest bench.smoke' });

    expect(report.failures).toEqual([]);
    for (const pair of [report.embedded, report.cluster, report.clusterBaseline]) {
      for (const server of ['parley', 'socket.io'] as const) {
        const result = pair?.[server];
        expect(result?.steps.length).toBeGreaterThan(0);
        expect(result?.setup).toMatchObject({ sockets: expect.any(Number), socketsOpenedPerSec: expect.any(Number) });
        for (const step of result!.steps) {
          expect(step).toMatchObject({
            deliveredPerSec: expect.any(Number),
            latencyMs: { p50: expect.any(Number), p95: expect.any(Number), p99: expect.any(Number), max: expect.any(Number) },
            serverCpuPercent: expect.any(Number),
            serverRssMb: expect.any(Number),
          });
          expect(step.acknowledged).toBe(step.attempted);
          expect(step.sendErrors).toBe(0);
        }
      }
      for (const step of pair!.parley!.steps) {
        expect(step.lost).toBe(0);
        expect(step.duplicated).toBe(0);
        expect(step.delivered).toBe(step.expectedDeliveries);
      }
    }

    const disconnect = report.disconnect?.parley;
    expect(disconnect?.receiversCut).toBeGreaterThan(0);
    expect(disconnect?.step).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, sendErrors: 0 });
    expect(disconnect?.step.delivered).toBe(disconnect?.step.expectedDeliveries);
    expect(report.disconnect?.['socket.io']?.step.duplicated).toBe(0);

    for (const server of ['parley', 'socket.io'] as const) {
      expect(report.idle?.[server]).toMatchObject({ kbPerIdleSocket: expect.any(Number), socketsOpenedPerSec: expect.any(Number) });
      expect(report.statements?.[server]?.perMessage.statements).toBeGreaterThan(0);
    }

    const search = report.search?.parley;
    expect(search?.queries).toBeGreaterThan(0);
    expect(search?.byKind.find((k) => k.kind === 'common Korean word')?.hitsOnFirstPage).toBeGreaterThan(0);
    expect(search?.byKind.find((k) => k.kind === 'absent word')?.hitsOnFirstPage).toBe(0);

    expect(renderMarkdownReport(report)).toContain('| Scenario |');
    expect(renderLatencyChart(report)).toMatch(/^<svg[\s\S]*<\/svg>$/);
  });
});
