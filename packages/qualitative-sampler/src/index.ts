/** @trainwatch/qualitative-sampler: `"use": "qualitative-sampler"`. */
import { qualitativeSampler } from './plugin';

export default qualitativeSampler;
export { qualitativeSampler } from './plugin';
export type { SampleRecord } from './sample-record';
export { sampleTable } from './terminal';
export { QualitativeSamplerOptions } from './options';
export { sliceStats, PatternFinder, familyOf, type Observation, type SliceStat } from './patterns';
export { chooseProbes, pictureOf, quadrant } from './probe';
export { encodePng, decodePng } from './png';
export { readSampleHistory } from './history';
