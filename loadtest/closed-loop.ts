import { Histogram } from "./histogram.ts"

export interface ClosedLoopOptions {
  /** Commands kept outstanding at all times: each reply immediately sends the next command. */
  readonly window: number
  /** Run this long before measuring (JIT, connection, batch sizes settle). */
  readonly warmupMs: number
  /** Measure this long. */
  readonly durationMs: number
  /** Send command number `seq`; the promise settles when the command is acknowledged. */
  readonly send: (seq: number) => Promise<unknown>
  /** Called for every acknowledged command, also during warm-up and drain (the audit counts all acks). */
  readonly onAck?: (seq: number) => void
  /** Called when the measured part begins and ends (e.g. to read metrics at the edges). */
  readonly onMeasureStart?: () => void
  readonly onMeasureEnd?: () => void
}

export interface ClosedLoopResult {
  readonly window: number
  /** All acknowledged commands, warm-up and drain included. */
  readonly acked: number
  readonly errors: number
  readonly errorSamples: ReadonlyArray<string>
  /** Commands acknowledged inside the measured interval. */
  readonly measuredAcks: number
  readonly measuredMs: number
  readonly throughputPerS: number
  /** Latency (send → ack) of the commands acknowledged inside the measured interval. */
  readonly latency: Histogram
}

const enum Phase {
  Warmup,
  Measure,
  Drain
}

/**
 * Drive a closed loop: `window` commands in flight, each acknowledgement sends the next one.
 * After the measured interval no new commands are sent, and the promise resolves once every
 * outstanding one has settled, so every command sent is either acked or counted as an error.
 */
export const closedLoop = (options: ClosedLoopOptions): Promise<ClosedLoopResult> =>
  new Promise((resolve) => {
    const { window, send, onAck } = options
    const latency = new Histogram()
    let phase = Phase.Warmup
    let seq = 0
    let inFlight = 0
    let acked = 0
    let errors = 0
    let measuredAcks = 0
    let measureStart = 0
    let measureEnd = 0
    const errorSamples: Array<string> = []

    const finish = () =>
      resolve({
        window,
        acked,
        errors,
        errorSamples,
        measuredAcks,
        measuredMs: measureEnd - measureStart,
        throughputPerS: measuredAcks / ((measureEnd - measureStart) / 1000),
        latency
      })

    const next = () => {
      inFlight--
      if (phase !== Phase.Drain) issue()
      else if (inFlight === 0) finish()
    }

    const issue = () => {
      const s = seq++
      const began = performance.now()
      inFlight++
      send(s).then(
        () => {
          acked++
          onAck?.(s)
          if (phase === Phase.Measure) {
            latency.record(performance.now() - began)
            measuredAcks++
          }
          next()
        },
        (error: unknown) => {
          errors++
          if (errorSamples.length < 5) errorSamples.push(error instanceof Error ? `${error.name}: ${error.message}` : String(error))
          next()
        }
      )
    }

    for (let i = 0; i < window; i++) issue()
    setTimeout(() => {
      options.onMeasureStart?.()
      measureStart = performance.now()
      phase = Phase.Measure
      setTimeout(() => {
        measureEnd = performance.now()
        phase = Phase.Drain
        options.onMeasureEnd?.()
        if (inFlight === 0) finish()
      }, options.durationMs)
    }, options.warmupMs)
  })

export interface CountedLoopOptions {
  readonly window: number
  /** Commands to send in all. */
  readonly total: number
  readonly send: (seq: number) => Promise<unknown>
  readonly onAck?: (seq: number) => void
}

/** Send exactly `total` commands with `window` of them in flight; resolves when all have settled. */
export const countedLoop = (options: CountedLoopOptions): Promise<{ readonly acked: number; readonly errors: number }> =>
  new Promise((resolve) => {
    const { window, total, send, onAck } = options
    let seq = 0
    let inFlight = 0
    let acked = 0
    let errors = 0
    const next = () => {
      inFlight--
      if (seq < total) issue()
      else if (inFlight === 0) resolve({ acked, errors })
    }
    const issue = () => {
      const s = seq++
      inFlight++
      send(s).then(
        () => {
          acked++
          onAck?.(s)
          next()
        },
        () => {
          errors++
          next()
        }
      )
    }
    if (total === 0) return resolve({ acked, errors })
    for (let i = 0; i < Math.min(window, total); i++) issue()
  })
