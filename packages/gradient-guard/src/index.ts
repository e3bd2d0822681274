/** @trainwatch/gradient-guard: `"use": "gradient-guard"`. */
import { gradientGuard } from './plugin';

export default gradientGuard;
export { gradientGuard };
export { GradientGuardOptions, ACTIONS, type Action } from './options';
export { GradientMonitor, groupByLayer, type CheckNumbers, type Verdict, type LayerStats } from './monitor';
export { gradientCheck, relativeError, type CheckResult, type CheckOptions } from './gradcheck';
export { writeSnapshot, loadSnapshot, type SnapshotManifest, type SnapshotRole } from './snapshot';
