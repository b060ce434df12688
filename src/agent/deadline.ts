/**
 * The time budget of one invocation, so that the function replies before Lambda stops it.
 *
 * The deadline is the Lambda timeout minus a safety margin, which leaves time to build the reply and
 * write the log lines. Each Converse call is aborted at the deadline, and no call starts when less
 * than {@link MIN_CONVERSE_CALL_MS} remain.
 */

/** Time kept free after the deadline for the reply and the log lines, in milliseconds. */
export const DEADLINE_SAFETY_MARGIN_MS = 1_500;

/**
 * Minimum time before the deadline to start a Converse call, in milliseconds. A call that would be
 * aborted almost at once costs input tokens and returns nothing, so the agent replies instead.
 */
export const MIN_CONVERSE_CALL_MS = 2_000;

/** The point in time by which the agent must stop calling Amazon Bedrock. */
export class Deadline {
  /** Starts the budget from the time left before the Lambda timeout, as `context.getRemainingTimeInMillis()` returns it. */
  public static fromRemainingTime(remainingMs: number, now: () => number = Date.now): Deadline {
    return new Deadline(now() + remainingMs - DEADLINE_SAFETY_MARGIN_MS, now);
  }

  /**
   * @param atMs the deadline, in milliseconds since the epoch
   * @param now the clock, which tests replace
   */
  constructor(public readonly atMs: number, private readonly now: () => number = Date.now) {}

  /** Milliseconds left until the deadline, never negative. */
  public remainingMs(): number {
    return Math.max(0, this.atMs - this.now());
  }
}

/**
 * Thrown when the deadline stops the agent: `beforeCall` when too little time remained to start a
 * Converse call, `duringCall` when a call, or the SDK's retries of it, ran until the deadline.
 */
export class DeadlineExceededError extends Error {
  constructor(
    public readonly phase: 'beforeCall' | 'duringCall',
    public readonly remainingMs: number,
    options?: { cause?: unknown },
  ) {
    super(phase === 'beforeCall'
      ? `${remainingMs} ms remained before the deadline, less than the ${MIN_CONVERSE_CALL_MS} ms needed to start a Converse call`
      : 'the Converse call was aborted at the deadline', options);
    this.name = 'DeadlineExceeded';
  }
}
