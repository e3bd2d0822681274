import * as path from 'node:path';
import { diagnose, writeDiagnosis, type Diagnosis } from '../diagnosis/diagnose';
import { completeFinding, type Finding, type FindingInput } from '../api/findings';
import type { EventBus } from '../loop/bus';
import { errorMessage, PluginError } from '../util/errors';
import type { Logger } from '../util/logger';
import { toJson, writeFileAtomic } from './artifacts';

/** Where the run is when a finding arrives (the trainer's step and epoch, 0 before it exists). */
export type RunPosition = () => { step: number; epoch: number };

/**
 * The run's findings: completed with the current step, kept in memory, emitted on the bus, and
 * rewritten atomically to `findings.json` as each one arrives, so a killed run keeps them all.
 */
export class FindingLog {
  readonly findings: Finding[] = [];
  private readonly file: string;

  constructor(
    runDir: string,
    private readonly bus: EventBus,
    private readonly here: RunPosition,
    /** Called when `findings.json` cannot be written (a full disk); the findings stay in memory. */
    private readonly onWriteError: (error: unknown, file: string) => void = () => {},
  ) {
    this.file = path.join(runDir, 'findings.json');
    this.save();
  }

  add(input: FindingInput, plugin: string): void {
    const { step, epoch } = this.here();
    const f = completeFinding(input, plugin, step, epoch);
    this.findings.push(f);
    this.save();
    this.bus.emit('finding', f);
  }

  /** Replaces a finding already reported (e.g. a repeat count) and saves; it is not emitted again. */
  replace(old: Finding, next: Finding): void {
    const i = this.findings.indexOf(old);
    if (i >= 0) this.findings[i] = next;
    this.save();
  }

  /** Saves `findings.json`, then `diagnosis.json`: the findings read as ranked root causes. */
  finish(checked: readonly string[]): Diagnosis {
    this.save();
    const d = diagnose(this.findings, checked);
    try {
      writeDiagnosis(path.dirname(this.file), d);
    } catch (e) {
      this.onWriteError(e, path.join(path.dirname(this.file), 'diagnosis.json'));
    }
    return d;
  }

  save(): void {
    try {
      writeFileAtomic(this.file, `${toJson(this.findings, 2)}\n`);
    } catch (e) {
      this.onWriteError(e, this.file);
    }
  }
}

/**
 * The plugin-error policy: a plugin that throws (in setup, a listener, an interceptor or its disposer)
 * is logged, announced as an `error` event and recorded as a `plugin-error` finding naming the plugin
 * and the event; the run goes on without that call, unless `failFast` makes the error fatal.
 */
export function pluginFailureHandler(o: {
  log: Logger;
  bus: EventBus;
  findings: FindingLog;
  here: RunPosition;
  failFast: boolean;
  /** Receives the error that must end the run (failFast only; the first one wins). */
  fatal: (error: PluginError) => void;
}): (plugin: string, event: string, error: unknown) => void {
  // A plugin that fails at every step gets one finding per event with a count, and a few log lines.
  const repeats = new Map<string, { finding: Finding; count: number }>();
  const LOGGED = 3;
  return (plugin, event, error) => {
    const err = error instanceof PluginError ? error : new PluginError(plugin, event, error);
    const key = `${plugin}\u0000${event}`;
    const seen = repeats.get(key);
    if (seen) {
      seen.count++;
      if (seen.count <= LOGGED) o.log.error(err.message);
      else if (seen.count === LOGGED + 1)
        o.log.error(
          `${plugin} keeps failing in ${event}: further failures are counted in its plugin-error finding, not printed`,
        );
      const next = {
        ...seen.finding,
        evidence: { ...seen.finding.evidence, count: seen.count, lastStep: o.here().step },
      };
      o.findings.replace(seen.finding, next);
      seen.finding = next;
      if (o.failFast) o.fatal(err);
      return;
    }
    o.log.error(err.message);
    if (event === 'error' || event === 'finding') return; // never recurse through the reporting events
    o.bus.emit('error', { plugin, event, code: err.code, message: err.message, step: o.here().step });
    const stack = (error instanceof Error ? (error.stack ?? '') : '').split('\n').slice(0, 6).join('\n');
    o.findings.add(
      {
        code: 'plugin-error',
        severity: 'error',
        message: err.message,
        evidence: { event, error: errorMessage(error), stack, count: 1 },
        suggestion: o.failFast
          ? 'The run stopped because training.failFast is set.'
          : 'The run went on without this call; fix the plugin or disable it.',
      },
      plugin,
    );
    const finding = o.findings.findings.at(-1);
    if (finding) repeats.set(key, { finding, count: 1 });
    if (o.failFast) o.fatal(err);
  };
}
