/** @trainwatch/gradient-guard: `"use": "gradient-guard"`. */
import { gradientGuard } from './plugin';

export default gradientGuard;
export { gradientGuard };
export { GradientGuardOptions, ACTIONS, type Action } from './options';
export { GradientMonitor, type Verdict } from './monitor';
export { groupByLayer, layerStats, type CheckNumbers, type LayerGroup, type LayerStats } from './layer-stats';
export { gradientCheck, relativeError, type CheckResult, type CheckOptions } from './gradcheck';
export { writeSnapshot, loadSnapshot, type SnapshotManifest, type SnapshotRole } from './snapshot';
