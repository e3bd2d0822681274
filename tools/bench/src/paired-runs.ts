/**
 * Two runs of a task taking turns in one process, timed in matched segments: the measurement
 * behind bench:plugins (each case against the same run with no plugins).
 */
import { validateOptions, type PluginUse, type Task } from '@trainwatch/core';
import { runTraining, validateConfig } from '@trainwatch/core/runner';
import { SMOKE, type Sample } from './harness';
import { Turns, TurnTimer } from './turns';

/** Rounds of each pair (`ROUNDS`, default 3; one in smoke mode). */
export const ROUNDS = SMOKE ? 1 : Number(process.env['ROUNDS'] ?? 3);

export const EPOCHS = SMOKE ? 1 : 3;
/**
 * Steps per turn: each arm runs this many steps, then hands over to the next (about 80 ms of
 * mnist-mlp, 40 ms of mnist-cnn, whose 2-epoch steady state is only 50 steps a round).
 */
const BLOCK = { 'mnist-mlp': 5, 'mnist-cnn': 1 } as Record<string, number>;

/** One arm's timed segments, in order: the same sequence for every arm of a round (matched blocks). */
interface Segments {
  all: Sample[];
  /** Index in `all` of the first steady segment (from the second epoch's begin). */
  steadyFrom: number;
  /** Indexes in `all` of the segments holding only an epoch's end (validation, epoch:end listeners). */
  epochEnds: number[];
}

/**
 * One run of an arm, taking turns with the round's other arms (`turns`): timed from run:begin to
 * run:end in segments closed at every BLOCK-th step's end (where it hands over) and at each epoch
 * boundary. Setup is outside the timing.
 */
async function interleavedRun(
  task: Task,
  taskOptions: Record<string, unknown>,
  plugins: PluginUse[],
  dir: string,
  turns: Turns,
  i: number,
): Promise<Segments> {
  const { config } = validateConfig({
    task: { use: task.name },
    training: { backend: 'wasm', epochs: EPOCHS, batchSize: 64, ...(SMOKE ? { maxSteps: 3 } : {}) },
    output: { events: false, report: false },
  });
  const timer = new TurnTimer(turns, i, BLOCK[task.name] ?? 5);
  const marks = { steadyFrom: -1, epochEnds: [] as number[] };
  // The last step of an epoch ends a block (the epoch lengths are multiples of BLOCK), so a segment
  // closed at an epoch boundary with no step in it holds the epoch's end alone.
  const boundary = () => {
    if (timer.pending === 0) marks.epochEnds.push(timer.segments.length);
    timer.split();
  };
  await runTraining({
    config,
    task,
    taskOptions: validateOptions(task.schema, taskOptions, 'task.options').options,
    plugins,
    runDir: dir,
    logSink: () => {},
    onBus: (bus) => {
      // Registered before the plugins: these run first at each event.
      bus.on('run:begin', () => timer.ready());
      bus.on('epoch:begin', (e) => {
        if (e.epoch === 0) return;
        boundary();
        if (e.epoch === 1) marks.steadyFrom = timer.segments.length;
      });
      bus.on('batch:end', () => timer.tick());
      bus.on('run:end', boundary);
    },
  });
  timer.finish();
  return { all: timer.segments, ...marks };
}

/** One case's timed segments against the baseline's, each with the round it came from. */
export interface PairParts {
  /** `[baseline, case]` segments: steady state (epochs 2 on), its steps and epoch ends apart, whole runs. */
  steady: Sample[][];
  steps: Sample[][];
  ends: Sample[][];
  whole: Sample[][];
  steadyRound: number[];
  stepsRound: number[];
  endsRound: number[];
  wholeRound: number[];
}

/**
 * ROUNDS rounds of two concurrent runs, no plugins and `plugins`, taking turns. Two arms, not every
 * case at once: with more arms the garbage-collection debt and cold caches one arm leaves fall on
 * whichever runs next, and small effects spread across the others (measured: a plugin with no
 * per-step work read x1.023 among eight arms).
 */
export async function comparePair(
  m: { name: string; task: Task; options: Record<string, unknown> },
  plugins: () => PluginUse[],
  dirFor: (label: string) => string,
): Promise<PairParts> {
  const arms = [() => [] as PluginUse[], plugins];
  const parts: PairParts = {
    steady: [[], []],
    steps: [[], []],
    ends: [[], []],
    whole: [[], []],
    steadyRound: [],
    stepsRound: [],
    endsRound: [],
    wholeRound: [],
  };
  for (let r = 0; r < ROUNDS; r++) {
    const turns = new Turns(arms.length);
    const runs = await Promise.all(
      arms.map((p, i) => interleavedRun(m.task, m.options, p(), dirFor(`run-${i}`), turns, i)),
    );
    const shapes = new Set(runs.map((x) => `${x.all.length}/${x.steadyFrom}/${x.epochEnds.join(',')}`));
    if (shapes.size !== 1) throw new Error(`${m.name}: arms ran different segments (${[...shapes].join(', ')})`);
    const { all, steadyFrom, epochEnds } = runs[0]!;
    const from = Math.max(0, steadyFrom);
    all.forEach((_, k) => {
      const into = (blocks: Sample[][], rounds: number[], seg: (s: Sample) => Sample = (s) => s) => {
        runs.forEach((x, i) => blocks[i]!.push(seg(x.all[k]!)));
        rounds.push(r);
      };
      into(parts.whole, parts.wholeRound);
      if (k < from) return;
      into(parts.steady, parts.steadyRound);
      if (epochEnds.includes(k)) into(parts.ends, parts.endsRound, (s) => ({ ...s, units: 1 }));
      else into(parts.steps, parts.stepsRound);
    });
  }
  return parts;
}
