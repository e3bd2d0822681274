/** @trainwatch/periodic-eval: `"use": "periodic-eval"`. */
import { periodicEval } from './plugin';

export default periodicEval;
export { periodicEval, type EvalRecord, type Trigger } from './plugin';
export { PeriodicEvalOptions } from './options';
export { EvalHistory, type EvalPoint } from './history';
export { evaluateDataset, type DatasetEval } from './dataset-eval';
