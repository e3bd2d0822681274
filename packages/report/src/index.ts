/** @trainwatch/report: the run report (one self-contained HTML page) and TensorBoard files, from a run directory. */
import * as path from 'node:path';
import { writeFileAtomic } from '@trainwatch/core';
import { buildReportHtml } from './html';
import { readRun } from './read-run';

export { readRun, runStatus, type RunData, type LineReader } from './read-run';
export { buildReportHtml } from './html';
export { chartFor, attachMarkers } from './markers';
export { runHealth, headlineMetrics, type Health } from './headline';
export { esc, markup, trusted, SafeHtml } from './safe-html';
export { buildCharts } from './charts';
export { downsample } from './downsample';
export { writeTensorboard, tfRecord, maskedCrc32c } from './tensorboard';
export { TensorboardLive } from './tensorboard-live';
export { serveRuns, type RunServer } from './serve';
export { liveData, type LiveData } from './live';
export { buildCompareHtml } from './compare';
export type { ChartData, LineChart, Heatmap, ChartMarker } from './client';

/** Builds `<runDir>/report.html` from the run directory's files alone; returns its path. */
export function writeReport(runDir: string): string {
  const file = path.join(runDir, 'report.html');
  writeFileAtomic(file, buildReportHtml(readRun(runDir)));
  return file;
}
