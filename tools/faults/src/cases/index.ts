import type { FaultCase } from '../case';
import { dataCases } from './data';
import { healthyCases } from './healthy';
import { modelCases } from './model';
import { trainingCases } from './training';

/** Every case of the benchmark: faulty ones first, then healthy ones. */
export const ALL_CASES: readonly FaultCase[] = [...trainingCases, ...modelCases, ...dataCases, ...healthyCases];
