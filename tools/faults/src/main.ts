import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { ALL_CASES } from './cases';
import { runCase } from './run-case';
import { scoreCase, totals, type CaseScore } from './score';

/** Prints the table and the totals as plain text (markdown, so the note and docs can paste it). */
export function formatTable(rows: readonly CaseScore[]): string {
  const mark = (b: boolean | undefined) => (b === undefined ? '-' : b ? 'yes' : 'NO');
  const lines = [
    '| case | expected | detected | top-1 | localised | first cause | other alarms | final |',
    '|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rows) {
    const detected = r.kind === 'healthy' ? (r.reached ? 'trained' : 'NOT TRAINED') : mark(r.detected);
    const top1 = r.kind === 'healthy' ? (r.wrong.length === 0 ? 'quiet' : 'ALARM') : mark(r.top1);
    lines.push(
      `| ${r.name} | ${r.expected} | ${detected} | ${top1} | ${mark(r.localised)} | ${r.first} | ${r.wrong.join(', ') || '-'} | ${r.metric} |`,
    );
  }
  const t = totals(rows);
  const pct = (x: number) => `${(100 * x).toFixed(0)}%`;
  lines.push(
    '',
    `faulty runs ${t.faults}, healthy runs ${t.healthy}`,
    `recall ${pct(t.recall)} · top-1 ${pct(t.top1)} · localisation ${pct(t.localisation)} · ` +
      `healthy runs with a warning ${t.falseAlarmRuns}/${t.healthy} · wrong-code alarms per faulty run ${t.wrongPerFault.toFixed(2)} (max ${t.wrongMax}) · healthy runs that trained ${t.healthyTrained}/${t.healthy}`,
  );
  return lines.join('\n');
}

async function main(argv: string[]): Promise<void> {
  const only = argv.filter((a) => !a.startsWith('--'));
  const fast = argv.includes('--fast');
  const cases = ALL_CASES.filter((c) => (only.length === 0 || only.includes(c.name)) && (!fast || c.fast));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'trainwatch-faults-'));
  const rows: CaseScore[] = [];
  for (const c of cases) {
    const run = await runCase(c, root);
    const row = scoreCase(run);
    rows.push(row);
    process.stderr.write(`${c.name}: ${row.first} (${(run.wallMs / 1000).toFixed(1)} s)\n`);
  }
  process.stdout.write(`${formatTable(rows)}\nruns in ${root}\n`);
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 1;
  });
}
