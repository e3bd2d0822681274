import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ChartSpec, Diagnosis, Finding } from '@trainwatch/core';

/** Everything the report draws, read from a run directory's files (each one optional). */
export interface RunData {
  runDir: string;
  config?: unknown;
  summary?: Record<string, unknown>;
  begin?: Record<string, unknown>;
  /** The run:end event, when the run got that far. */
  end?: { status: string; reason: string; step: number; epoch: number; wallMs: number; final: Record<string, number> };
  steps: { step: number; loss: number; metrics: Record<string, number>; learningRate?: number }[];
  epochs: { epoch: number; step: number; train: Record<string, number>; val: Record<string, number> }[];
  findings: Finding[];
  /** The diagnosis (diagnosis.json), when the run wrote one. */
  diagnosis?: Diagnosis;
  gradients: {
    step: number;
    layers: { layer: string; grad: number; weight: number; gradToWeight: number; update?: number }[];
  }[];
  activations: {
    step: number;
    layers: {
      layer: string;
      activation: string;
      hist: { of: string; lo: number; hi: number; counts: number[] };
      out: Record<string, number>;
      activeUnits?: number;
      saturatedUnits?: number;
    }[];
  }[];
  evals: {
    step: number;
    trigger: string[];
    evaluator: string;
    metrics: Record<string, number>;
    monitor: { metric: string; value: number; best: boolean };
    behaviour?: unknown;
    details?: Record<string, unknown>;
    /** Confusion counts [true][predicted] (classification). */
    confusion?: number[][];
  }[];
  samples: {
    step: number;
    id: number;
    input?: string;
    image?: string;
    label: string;
    prediction: string;
    correct?: boolean;
    confidence?: number;
    distance?: number;
  }[];
  /** Probe pictures as data URIs, by relative path. */
  images: Record<string, string>;
  /** Lines that could not be parsed (a crash mid-write leaves a partial last line). */
  skippedLines: number;
  /** Charts plugins declared (`<plugin>/report.json`), each with the records of its file. */
  contributions: { plugin: string; spec: ChartSpec; records: Record<string, unknown>[] }[];
  /** Set by `trainwatch serve` when the run is still being written: an unfinished run is then "running". */
  live?: boolean;
}

/**
 * True when `file` is a regular file inside `runDir` after resolving every link: a run directory is
 * untrusted input (a plugin wrote it, or someone handed it over), and a link must not pull
 * `/etc/...` into the page.
 */
export function inside(runDir: string, file: string): boolean {
  try {
    const root = fs.realpathSync(runDir);
    const real = fs.realpathSync(file);
    return real.startsWith(root + path.sep) && fs.statSync(real).isFile();
  } catch {
    return false;
  }
}

function readJson(runDir: string, file: string): unknown {
  if (!inside(runDir, file)) return undefined;
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Reads the lines of one of the run's JSONL files (a whole file, or only what is new since last time). */
export type LineReader = (runDir: string, file: string) => string[];

const wholeFile: LineReader = (runDir, file) => (inside(runDir, file) ? fs.readFileSync(file, 'utf8').split('\n') : []);

function readJsonl(runDir: string, file: string, onBad: () => void, lines: LineReader): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const line of lines(runDir, file)) {
    if (!line.trim()) continue;
    try {
      const v = JSON.parse(line) as unknown;
      if (obj(v)) out.push(v);
      else onBad();
    } catch {
      onBad();
    }
  }
  return out;
}

const obj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const stepped = (v: Record<string, unknown>) => typeof v['step'] === 'number' || typeof v['step'] === 'string';
const layered = (v: Record<string, unknown>) =>
  Array.isArray(v['layers']) && (v['layers'] as unknown[]).every((l) => obj(l) && typeof l['layer'] === 'string');
const SEVERITIES = new Set(['info', 'warn', 'error']);
const isFinding = (f: Record<string, unknown>): boolean =>
  typeof f['code'] === 'string' &&
  SEVERITIES.has(f['severity'] as string) &&
  typeof f['message'] === 'string' &&
  typeof f['step'] === 'number';

/** The records that pass `ok` (objects only); each one dropped counts as unreadable. */
function keep<T = Record<string, unknown>>(
  list: unknown[],
  ok: (v: Record<string, unknown>) => boolean,
  bad: () => void,
): T[] {
  const out: T[] = [];
  for (const v of list) {
    if (obj(v) && ok(v)) out.push(v as T);
    else bad();
  }
  return out;
}

/** Numbers written as strings by `toJson` ("NaN", "Infinity") come back as numbers. */
function num(v: unknown): number {
  return typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : Number.NaN;
}

/**
 * Reads a run directory: works for finished, stopped, crashed and interrupted runs alike. `lines`
 * reads the JSONL files (default: whole; the live TensorBoard writer passes one that returns only
 * the lines added since its last read).
 */
export function readRun(runDir: string, lines: LineReader = wholeFile): RunData {
  let skipped = 0;
  const bad = () => void skipped++;
  const at = (...p: string[]) => path.join(runDir, ...p);
  const data: RunData = {
    runDir,
    steps: [],
    epochs: [],
    findings: [],
    gradients: [],
    activations: [],
    evals: [],
    samples: [],
    images: {},
    skippedLines: 0,
    contributions: [],
  };
  const config = readJson(runDir, at('config.json'));
  if (config !== undefined) data.config = config;
  const summary = readJson(runDir, at('summary.json'));
  if (summary && typeof summary === 'object') data.summary = summary as Record<string, unknown>;
  const events = readJsonl(runDir, at('events.jsonl'), bad, lines);
  // Only the last run, should an older version have appended several to one file.
  let from = 0;
  events.forEach((e, i) => void (e['event'] === 'run:begin' && (from = i)));
  for (const e of events.slice(from)) {
    if (e['event'] === 'run:begin') data.begin = e;
    else if (e['event'] === 'batch:end')
      data.steps.push({
        step: num(e['step']),
        loss: num(e['loss']),
        metrics: Object.fromEntries(
          Object.entries((e['metrics'] as Record<string, unknown>) ?? {}).map(([k, v]) => [k, num(v)]),
        ),
        ...(e['learningRate'] !== undefined ? { learningRate: num(e['learningRate']) } : {}),
      });
    else if (e['event'] === 'epoch:end')
      data.epochs.push({
        epoch: num(e['epoch']),
        step: num(e['step']),
        train: (e['train'] as Record<string, number>) ?? {},
        val: (e['val'] as Record<string, number>) ?? {},
      });
    else if (e['event'] === 'run:end') data.end = e as unknown as RunData['end'];
  }
  // Every record is checked for the fields the page uses: a damaged or hand-edited file loses the
  // records it broke (counted and said on the page), never the whole report.
  const findings = readJson(runDir, at('findings.json'));
  if (Array.isArray(findings))
    data.findings = keep<Finding & Record<string, unknown>>(findings, isFinding, bad).map((f) => ({
      ...f,
      evidence: obj(f.evidence) ? f.evidence : {},
    }));
  const diagnosis = readJson(runDir, at('diagnosis.json'));
  data.diagnosis =
    obj(diagnosis) && Array.isArray(diagnosis['causes']) && typeof diagnosis['headline'] === 'string'
      ? (diagnosis as unknown as Diagnosis)
      : undefined;
  const read = (...p: string[]) => readJsonl(runDir, at(...p), bad, lines);
  data.gradients = keep(read('gradient-guard', 'series.jsonl'), (g) => stepped(g) && layered(g), bad) as never;
  const histogrammed = (a: Record<string, unknown>) =>
    (a['layers'] as Record<string, unknown>[]).every(
      (l) => obj(l['out']) && obj(l['hist']) && Array.isArray(l['hist']['counts']),
    );
  data.activations = keep(
    read('activation-monitor', 'stats.jsonl'),
    (a) => stepped(a) && layered(a) && histogrammed(a),
    bad,
  ) as never;
  data.evals = keep(read('periodic-eval', 'evals.jsonl'), (e) => stepped(e) && obj(e['metrics']), bad) as never;
  data.samples = keep(
    read('qualitative-sampler', 'samples.jsonl'),
    (x) => stepped(x) && x['id'] !== undefined && x['id'] !== null,
    bad,
  ) as never;
  // Pictures of the probe set, and of the examples a finding names (evidence.examples[].image).
  const named = data.findings.flatMap((f) =>
    Array.isArray(f.evidence['examples'])
      ? (f.evidence['examples'] as unknown[]).map((e) => (obj(e) && typeof e['image'] === 'string' ? e['image'] : ''))
      : [],
  );
  for (const image of [...data.samples.map((s) => s.image ?? ''), ...named]) {
    if (!image || !image.endsWith('.png') || data.images[image] !== undefined) continue;
    const file = path.resolve(runDir, image);
    // Only files inside the run directory are inlined (links resolved first).
    if (inside(runDir, file)) data.images[image] = `data:image/png;base64,${fs.readFileSync(file).toString('base64')}`;
  }
  data.contributions = readContributions(runDir, (file) => read(file), bad);
  data.skippedLines = skipped;
  return data;
}

/** The run's status as the files tell it: summary first, then run:end, else it never finished. */
export function runStatus(d: RunData): { status: string; reason: string; finished: boolean } {
  const s = d.summary;
  if (s && typeof s['status'] === 'string')
    return { status: s['status'], reason: String(s['reason'] ?? ''), finished: true };
  if (d.end) return { status: d.end.status, reason: d.end.reason, finished: true };
  const last = d.steps.at(-1);
  if (d.live) return { status: 'running', reason: `in progress${last ? `: step ${last.step}` : ''}`, finished: false };
  return {
    status: 'interrupted',
    reason: `the run did not finish: no run:end in events.jsonl (killed or crashed${last ? ` after step ${last.step}` : ' before the first step'})`,
    finished: false,
  };
}

const isSpec = (plugin: string, s: Record<string, unknown>): boolean =>
  ['id', 'title', 'yLabel', 'file'].every((k) => typeof s[k] === 'string') &&
  (s['file'] as string).startsWith(`${plugin}/`) &&
  (Array.isArray(s['series']) || obj(s['each']));

/** Every plugin's declared charts with their records; a damaged declaration loses its charts only. */
function readContributions(
  runDir: string,
  read: (file: string) => Record<string, unknown>[],
  bad: () => void,
): RunData['contributions'] {
  const out: RunData['contributions'] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(runDir, { withFileTypes: true });
  } catch {
    return out;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const decl = readJson(runDir, path.join(runDir, e.name, 'report.json'));
    if (decl === undefined) continue;
    if (!obj(decl) || decl['plugin'] !== e.name || !Array.isArray(decl['charts'])) {
      bad();
      continue;
    }
    for (const spec of keep(decl['charts'], (s) => isSpec(e.name, s), bad))
      out.push({ plugin: e.name, spec: spec as unknown as ChartSpec, records: read(spec['file'] as string) });
  }
  return out;
}
