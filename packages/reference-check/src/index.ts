/** @trainwatch/reference-check: `"use": "reference-check"`. */
import { referenceCheck } from './plugin';

export default referenceCheck;
export { referenceCheck } from './plugin';
export { ReferenceCheckOptions } from './options';
export { layerwise, weightKey, type Layerwise, type Arr } from './layerwise';
export { compareArrays, compareLayerwise, type Comparison, type Diff, type Mismatch, type Tolerance } from './compare';
export { exportReference, referenceInput, writeReferenceInput, referenceBatch, type ReferenceInput } from './export';
