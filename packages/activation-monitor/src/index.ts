/** @trainwatch/activation-monitor: `"use": "activation-monitor"`. */
import { activationMonitor } from './plugin';

export default activationMonitor;
export { activationMonitor, type InputStats } from './plugin';
export { ActivationMonitorOptions } from './options';
export { ActivationMonitor } from './monitor';
export { watchedLayers, kindOf, type WatchedLayer, type ActivationKind } from './layers';
export { layerSample, layerStats, type LayerSample, type LayerStats, type StatsSettings } from './stats';
