import * as fs from 'node:fs';
import * as path from 'node:path';
import type { SampleRecord } from './sample-record';

/**
 * Each probe sample's predictions over the run, from a run directory's samples.jsonl: when did it
 * become right, does it flip back and forth.
 */
export function readSampleHistory(runDir: string): Map<number, SampleRecord[]> {
  const file = path.join(runDir, 'qualitative-sampler', 'samples.jsonl');
  const out = new Map<number, SampleRecord[]>();
  if (!fs.existsSync(file)) return out;
  for (const line of fs.readFileSync(file, 'utf8').split('\n')) {
    if (!line.trim()) continue;
    const r = JSON.parse(line) as SampleRecord;
    if (!out.has(r.id)) out.set(r.id, []);
    out.get(r.id)!.push(r);
  }
  for (const list of out.values()) list.sort((a, b) => a.step - b.step);
  return out;
}
