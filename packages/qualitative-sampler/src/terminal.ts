import type { Logger } from '@trainwatch/core';
import type { SampleRecord } from './sample-record';

const cut = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const mark = (r: SampleRecord) => (r.correct === undefined ? ' ' : r.correct ? '✓' : '✗');

/** The probe table: one row per shown sample; with `pictures`, the first wrong one drawn as text below. */
export function sampleTable(step: number, records: SampleRecord[], show: number, pictures: boolean): string {
  const right = records.filter((r) => r.correct).length;
  const lines = [`samples @${step}: ${right}/${records.length} probes right`];
  const shown = records.slice(0, show);
  for (const r of shown) {
    const input =
      r.input && !r.input.includes('\n') ? `${cut(r.input, 16).padEnd(16)} → ` : `#${String(r.id).padEnd(5)} `;
    const conf = r.confidence !== undefined ? ` (${(100 * r.confidence).toFixed(0)}%)` : '';
    lines.push(
      `  ${mark(r)} ${input}${cut(r.prediction, 28)}${conf}${r.correct ? '' : `   [true: ${cut(r.label, 28)}]`}`,
    );
  }
  // Pictures rendered as text (digits) do not fit a table row: draw the first wrong one below it.
  const wrong = pictures ? shown.find((r) => r.correct === false && r.input?.includes('\n')) : undefined;
  if (wrong)
    lines.push(
      `  #${wrong.id}: predicted ${wrong.prediction}, labelled ${wrong.label}`,
      ...wrong.input!.split('\n').map((l) => `    ${l}`),
    );
  return lines.join('\n');
}

/**
 * What the terminal shows of the samples: the table at the first sampling and at the end of the
 * run, one line at a sampling whose predictions changed, nothing when none did. Every table (with
 * samples drawn as text) is a debug line, shown with `--verbose`.
 */
export class SampleTerminal {
  private last: { step: number; records: SampleRecord[] } | undefined;
  private samplings = 0;
  constructor(
    private readonly log: Logger,
    private readonly show: number,
  ) {}

  sampled(step: number, records: SampleRecord[]): void {
    if (this.show === 0 || records.length === 0) return;
    const before = this.last?.records;
    this.last = { step, records };
    this.log.debug(sampleTable(step, records, this.show, true));
    if (this.samplings++ === 0) {
      this.log.info(sampleTable(step, records, this.show, false));
      return;
    }
    const was = new Map((before ?? []).map((r) => [r.id, r.prediction]));
    const changed = records.filter((r) => was.has(r.id) && was.get(r.id) !== r.prediction);
    if (changed.length === 0) return;
    const right = records.filter((r) => r.correct).length;
    const listed = changed
      .slice(0, 3)
      .map((r) => `#${r.id} ${cut(was.get(r.id)!, 12)} → ${cut(r.prediction, 12)} ${mark(r)}`)
      .join(', ');
    const more = changed.length > 3 ? ` (+${changed.length - 3} more)` : '';
    this.log.info(`samples @${step}: ${right}/${records.length} probes right; changed: ${listed}${more}`);
  }

  /** The last sampling's table, when there was more than one sampling. */
  end(): void {
    if (this.show > 0 && this.last && this.samplings > 1)
      this.log.info(sampleTable(this.last.step, this.last.records, this.show, false));
  }
}
