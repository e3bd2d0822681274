import { TrainwatchError } from '../util/errors';

/**
 * A line chart a plugin adds to the report, drawn from one of its JSONL files. The report reads the
 * spec from the run directory (`<plugin>/report.json`), so it draws the chart for finished, crashed
 * and old runs alike, without the plugin's code.
 */
export interface ChartSpec {
  /** `line` (default): series over x. `heatmap`: one histogram per record and per item of `each` (e.g. per layer), columns over x. */
  readonly kind?: 'line' | 'heatmap';
  /** Kebab-case, unique within the plugin; the chart's page id is `<plugin>-<id>` (heatmaps: `-<n>` per item). */
  readonly id: string;
  /** For heatmaps, `{key}` and `{field.path}` are filled in from each item (e.g. `{key} ({activation})`). */
  readonly title: string;
  /** The y axis' label with its unit, e.g. `gradient L2 norm`. */
  readonly yLabel: string;
  /** The plugin's JSONL file, relative to the run directory and inside the plugin's folder: `my-plugin/series.jsonl`. */
  readonly file: string;
  /** The field holding x (default `step`). */
  readonly x?: string;
  /** One series per field (dotted paths reach into objects: `out.zeros`)... */
  readonly series?: readonly { readonly field: string; readonly label?: string }[];
  /**
   * ...or one series per item of an array field, named by `key`, valued by `value` (e.g. per layer);
   * with `when`, only items that have that field. Heatmaps use `array` and `key` only.
   */
  readonly each?: { readonly array: string; readonly key: string; readonly value?: string; readonly when?: string };
  /** Heatmaps: the item field holding `{ lo, hi, counts }` (bins from lo to hi). */
  readonly histogram?: string;
  /** Start on a log y scale. */
  readonly log?: boolean;
  /** A healthy range, drawn as dashed lines. */
  readonly band?: readonly [number, number];
  /** Offer a smoothing slider. */
  readonly smooth?: boolean;
  /** Finding codes this chart shows the evidence of: their markers go on it and their links point to it. */
  readonly findings?: readonly string[];
  /** The section of the page (default: the plugin's name). */
  readonly section?: string;
}

/** What a plugin contributes to the report. */
export interface ReportContribution {
  readonly charts: readonly ChartSpec[];
}

const KEBAB = /^[a-z][a-z0-9-]*$/;

/**
 * Checks a contribution when the plugin makes it (not when the report is drawn): a bad spec is the
 * plugin's error, named, at once.
 */
export function checkContribution(plugin: string, c: ReportContribution): ReportContribution {
  const bad = (why: string): never => {
    throw new TrainwatchError('plugin-error', `${plugin}: contributeToReport: ${why}`);
  };
  if (!c || !Array.isArray(c.charts)) bad('needs { charts: [...] }');
  const ids = new Set<string>();
  for (const [i, s] of c.charts.entries()) {
    const at = `charts[${i}]`;
    if (typeof s?.id !== 'string' || !KEBAB.test(s.id)) bad(`${at}.id must be kebab-case`);
    if (ids.has(s.id)) bad(`${at}.id "${s.id}" is used twice`);
    ids.add(s.id);
    for (const k of ['title', 'yLabel', 'file'] as const)
      if (typeof s[k] !== 'string' || !s[k]) bad(`${at}.${k} must be a non-empty string`);
    const parts = s.file.split('/');
    if (parts[0] !== plugin || parts.length < 2 || parts.includes('..') || !s.file.endsWith('.jsonl'))
      bad(`${at}.file "${s.file}" must be a .jsonl file in the plugin's folder ("${plugin}/...")`);
    if (s.kind !== undefined && s.kind !== 'line' && s.kind !== 'heatmap') bad(`${at}.kind must be line or heatmap`);
    const fields = (s.each ?? {}) as Record<string, unknown>;
    if (s.kind === 'heatmap') {
      if (s.series || !s.each || typeof s.histogram !== 'string')
        bad(`${at}: a heatmap needs each and histogram, no series`);
      if (['array', 'key'].some((k) => typeof fields[k] !== 'string'))
        bad(`${at}.each needs array and key field names`);
    } else {
      if (!s.series === !s.each) bad(`${at} needs exactly one of series or each`);
      if (s.series && (!s.series.length || s.series.some((x) => typeof x?.field !== 'string')))
        bad(`${at}.series must list { field } objects`);
      if (s.each && ['array', 'key', 'value'].some((k) => typeof fields[k] !== 'string'))
        bad(`${at}.each needs array, key and value field names`);
    }
    if (s.band && !(s.band.length === 2 && s.band.every((v) => Number.isFinite(v)) && s.band[0] < s.band[1]))
      bad(`${at}.band must be [low, high] with low < high`);
  }
  return c;
}
