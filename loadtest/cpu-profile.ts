import { writeFileSync } from "node:fs"
import { Session } from "node:inspector"

/**
 * CPU profile of one stretch of a run (the measured interval, not the warm-up or the audit),
 * written as a `.cpuprofile` that Chrome DevTools or speedscope open. In-process, through the
 * inspector, so only that stretch is sampled.
 */
export class IntervalProfiler {
  private session: Session | undefined

  constructor(private readonly file: string, private readonly samplingIntervalUs = 200) {}

  start(): void {
    const session = new Session()
    session.connect()
    session.post("Profiler.enable")
    session.post("Profiler.setSamplingInterval", { interval: this.samplingIntervalUs })
    session.post("Profiler.start")
    this.session = session
  }

  stop(): void {
    const session = this.session
    if (session === undefined) return
    this.session = undefined
    session.post("Profiler.stop", (error, result) => {
      if (error === null) writeFileSync(this.file, JSON.stringify(result.profile))
      else console.error(`profile ${this.file} could not be taken`, error)
      session.disconnect()
    })
  }
}
