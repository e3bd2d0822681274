import * as fs from 'node:fs';
import { parse } from 'csv-parse/sync';
import { TrainwatchError } from '@trainwatch/core';

/** Examples read from a file, as plain numbers: one feature row and one label per example. */
export interface TabularRows {
  features: number[][];
  /** A class index, a number, or a vector per example, as the file gave it. */
  labels: (number | number[])[];
  /** Feature names (CSV columns) when the file has them. */
  columns?: string[];
}

const dataError = (file: string, message: string) => new TrainwatchError('data-error', `${file}: ${message}`);

function toNumber(file: string, where: string, v: unknown): number {
  const n = typeof v === 'number' ? v : Number(String(v).trim());
  if (String(v).trim() === '' || !Number.isFinite(n)) throw dataError(file, `${where}: "${String(v)}" is not a number`);
  return n;
}

/** A CSV with a header row: the `label` column is the target, every other (or `features`) column an input. */
export function readCsv(file: string, label: string, features?: readonly string[]): TabularRows {
  const records = parse(fs.readFileSync(file, 'utf8'), { columns: true, skip_empty_lines: true, trim: true }) as Record<
    string,
    string
  >[];
  if (records.length === 0) throw dataError(file, 'no data rows');
  const header = Object.keys(records[0]!);
  if (!header.includes(label))
    throw dataError(file, `no "${label}" column (columns: ${header.join(', ')}); set the task's "label" option`);
  const columns = features ? [...features] : header.filter((c) => c !== label);
  const missing = columns.filter((c) => !header.includes(c));
  if (missing.length) throw dataError(file, `no column ${missing.map((m) => `"${m}"`).join(', ')}`);
  return {
    columns,
    features: records.map((r, i) => columns.map((c) => toNumber(file, `row ${i + 2}, column "${c}"`, r[c]))),
    labels: records.map((r, i) => toNumber(file, `row ${i + 2}, column "${label}"`, r[label])),
  };
}

/** JSON lines, one example per line: `{ "x": [numbers], "y": number | [numbers] }`. */
export function readJsonLines(file: string): TabularRows {
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const rows: TabularRows = { features: [], labels: [] };
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    let v: { x?: unknown; y?: unknown };
    try {
      v = JSON.parse(line) as { x?: unknown; y?: unknown };
    } catch {
      throw dataError(file, `line ${i + 1} is not JSON`);
    }
    if (!Array.isArray(v.x)) throw dataError(file, `line ${i + 1}: "x" must be an array of numbers`);
    rows.features.push(v.x.map((n, j) => toNumber(file, `line ${i + 1}, x[${j}]`, n)));
    rows.labels.push(
      Array.isArray(v.y)
        ? v.y.map((n, j) => toNumber(file, `line ${i + 1}, y[${j}]`, n))
        : toNumber(file, `line ${i + 1}, y`, v.y),
    );
  });
  if (rows.features.length === 0) throw dataError(file, 'no examples');
  return rows;
}

/** Reads a `.csv` or `.jsonl` / `.ndjson` file by its extension. */
export function readTabular(file: string, label: string, features?: readonly string[]): TabularRows {
  if (!fs.existsSync(file)) throw dataError(file, 'no such file');
  if (/\.csv$/i.test(file)) return readCsv(file, label, features);
  if (/\.(jsonl|ndjson)$/i.test(file)) return readJsonLines(file);
  throw dataError(file, 'data files are .csv (with a header row) or .jsonl (one {"x": [...], "y": ...} per line)');
}
