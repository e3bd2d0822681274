/** Stop requests and fatal errors, shared by the loop, the bus and the plugin contexts. */
export class RunControl {
  stopReason: string | undefined;
  /** Set when a failure must end the run (a plugin error under `failFast`). */
  fatal: unknown;
  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }
}
