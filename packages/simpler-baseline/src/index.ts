/** @trainwatch/simpler-baseline: `"use": "simpler-baseline"`. */
import { simplerBaseline } from './plugin';

export default simplerBaseline;
export { simplerBaseline, derivedSimpler, type Contender } from './plugin';
export { SimplerBaselineOptions } from './options';
