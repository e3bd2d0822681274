/** Stop requests and fatal errors, shared by the loop, the bus and the plugin contexts. */
export class RunControl {
  stopReason: string | undefined;
  /** Set when a failure must end the run (a plugin error under `failFast`). */
  fatal: unknown;
  /** The stop is the planned end (max steps reached): the run counts as completed. */
  stopIsCompletion = false;

  requestStop(reason: string): void {
    this.stopReason ??= reason;
  }

  /** Before each step: throws a fatal error, turns an abort or the step budget into a stop; true to stop. */
  check(signal: AbortSignal | undefined, maxSteps: number | undefined, step: number): boolean {
    if (this.fatal !== undefined) throw this.fatal;
    if (signal?.aborted && this.stopReason === undefined)
      this.requestStop(typeof signal.reason === 'string' ? signal.reason : 'aborted');
    if (maxSteps !== undefined && step >= maxSteps && this.stopReason === undefined) {
      this.requestStop(`max steps (${maxSteps}) reached`);
      this.stopIsCompletion = true;
    }
    return this.stopReason !== undefined;
  }
}
