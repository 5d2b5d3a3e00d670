/**
 * The error a chunked job ends with when a task fails for good.
 * @module
 */

/** A chunk task failed after all its attempts; `cause` is the last error (message and stack kept). */
export class ChunkTaskError extends Error {
  /** Chunk coordinates of the failed task. */
  readonly chunkIndex: number[];
  /** Name of the operation. */
  readonly opName: string;
  /** How many times the task was tried. */
  readonly attempts: number;

  /**
   * @param opName the operation's name
   * @param chunkIndex the chunk coordinates
   * @param attempts how many times it ran
   * @param cause the last error
   */
  constructor(opName: string, chunkIndex: number[], attempts: number, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(
      `Chunk [${chunkIndex.join(", ")}] of "${opName}" failed after ${attempts} attempt${
        attempts === 1 ? "" : "s"
      }: ${reason}`,
      { cause },
    );
    this.name = "ChunkTaskError";
    this.chunkIndex = chunkIndex;
    this.opName = opName;
    this.attempts = attempts;
  }
}
