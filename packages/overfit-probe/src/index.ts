/** @trainwatch/overfit-probe: `"use": "overfit-probe"`. */
import { overfitProbe } from './plugin';

export default overfitProbe;
export { overfitProbe, type ProbeResult } from './plugin';
export { OverfitProbeOptions } from './options';
