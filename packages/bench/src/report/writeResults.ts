import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BenchReport } from './benchReport.ts';
import { renderLatencyChart } from './latencyChart.ts';
import { renderMarkdownReport } from './markdownReport.ts';

export interface WrittenResults {
  json: string;
  latestJson: string;
  chart: string;
  markdown: string;
}

/** <timestamp>.json, latest.json, latest.svg (latency against load) and latest.md (the tables) in `dir`. */
export async function writeResults(report: BenchReport, dir: string): Promise<WrittenResults> {
  await mkdir(dir, { recursive: true });
  const stamp = report.startedAt.replace(/[:.]/g, '-');
  const json = `${JSON.stringify(report, null, 2)}\n`;
  const paths: WrittenResults = {
    json: join(dir, `${stamp}.json`),
    latestJson: join(dir, 'latest.json'),
    chart: join(dir, 'latest.svg'),
    markdown: join(dir, 'latest.md'),
  };
  await writeFile(paths.json, json);
  await writeFile(paths.latestJson, json);
  await writeFile(paths.chart, renderLatencyChart(report));
  await writeFile(paths.markdown, `${renderMarkdownReport(report)}\n\n![Delivery latency against offered load](latest.svg)\n`);
  return paths;
}
