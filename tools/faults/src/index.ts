/** @trainwatch/faults: the fault benchmark's cases, runner and scoring (`npm run bench:faults`). */
export { ALL_CASES } from './cases';
export { TRAINING_DEFAULTS, type Expected, type FaultCase } from './case';
export { runCase, STANDARD_PLUGINS, type CaseRun, type CauseRecord } from './run-case';
export { scoreCase, totals, placeOf, type CaseScore, type Totals } from './score';
export { formatTable } from './main';
