/** The times a load-generator run reports, whichever the tool. */
export interface LoadTimings {
  /** Length of the measured interval. */
  readonly elapsedS: number
  readonly p50Ms: number
  readonly p99Ms: number
  readonly meanMs: number
  readonly maxMs: number
}
