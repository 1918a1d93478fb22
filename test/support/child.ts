import { type ChildProcess, spawn } from "node:child_process"
import { appendFileSync } from "node:fs"
import { fileURLToPath } from "node:url"

export const repoRoot = fileURLToPath(new URL("../..", import.meta.url))

/**
 * One node program run as a child process, restarted on demand: `start` waits for its
 * `READY <port>` line, `kill` sends SIGKILL to that child's own pid and waits for it to be gone,
 * `stop` does the same with SIGTERM. Every line the children write goes to `logPath`, tagged with
 * the generation that wrote it.
 */
export class RestartableChild {
  private child: ChildProcess | null = null
  private exited: Promise<{ readonly code: number | null; readonly signal: string | null }> = Promise.resolve({ code: null, signal: null })
  generation = 0
  port = 0
  /** Exits the test did not cause (a crash of the child on its own), as log lines. */
  readonly unexpectedExits: Array<string> = []

  constructor(
    /** Arguments of `node`, e.g. `["--import", "tsx", "test/support/ledger-server.ts"]`. */
    private readonly nodeArgs: ReadonlyArray<string>,
    private readonly env: Record<string, string>,
    readonly logPath: string
  ) {}

  log(line: string) {
    appendFileSync(this.logPath, `${line}\n`)
  }

  /** Spawn the next generation; resolves with its port once it prints `READY <port>`. */
  start(timeoutMs: number): Promise<number> {
    if (this.child !== null) throw new Error("the previous child is still running")
    const generation = ++this.generation
    const child = spawn(process.execPath, [...this.nodeArgs], {
      cwd: repoRoot,
      env: { ...process.env, ...this.env, PORT: "0", EXIT_WITH_STDIN: "1" },
      // The child watches its stdin: if this process dies, the pipe closes and the child exits.
      stdio: ["pipe", "pipe", "pipe"]
    })
    this.child = child
    this.exited = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })))
    this.log(`[test] generation ${generation} spawned as pid ${child.pid}`)
    return new Promise<number>((resolve, reject) => {
      let ready = false
      const timer = setTimeout(() => fail(new Error(`child generation ${generation} printed no READY within ${timeoutMs} ms`)), timeoutMs)
      const fail = (error: Error) => {
        clearTimeout(timer)
        if (!ready) reject(error)
      }
      child.once("exit", (code, signal) => {
        const line = `generation ${generation} (pid ${child.pid}) exited: code ${code} signal ${signal}`
        this.log(`[test] ${line}`)
        if (this.child === child) this.unexpectedExits.push(line)
        fail(new Error(`child generation ${generation} exited before READY (code ${code}, signal ${signal}); log: ${this.logPath}`))
      })
      child.once("error", fail)
      lines(child.stderr!, (line) => this.log(`[${generation} err] ${line}`))
      lines(child.stdout!, (line) => {
        this.log(`[${generation} out] ${line}`)
        const match = /^READY (\d+)$/.exec(line)
        if (match !== null && !ready) {
          ready = true
          clearTimeout(timer)
          this.port = Number(match[1])
          resolve(this.port)
        }
      })
    })
  }

  /** SIGKILL the current child (if any) and wait until it has exited. */
  kill(): Promise<void> {
    return this.signal("SIGKILL").then(() => undefined)
  }

  /** SIGTERM the current child (a graceful stop) and wait until it has exited; resolves with its exit code. */
  stop(): Promise<number | null> {
    return this.signal("SIGTERM").then((exit) => exit.code)
  }

  private async signal(signal: "SIGKILL" | "SIGTERM") {
    const child = this.child
    if (child === null) return { code: null, signal: null }
    this.child = null
    if (child.exitCode === null && child.signalCode === null) {
      this.log(`[test] ${signal} generation ${this.generation} (pid ${child.pid})`)
      child.kill(signal)
    }
    return this.exited
  }
}

const lines = (stream: NodeJS.ReadableStream, onLine: (line: string) => void) => {
  let buffered = ""
  stream.setEncoding("utf8")
  stream.on("data", (chunk: string) => {
    buffered += chunk
    let newline = buffered.indexOf("\n")
    while (newline >= 0) {
      onLine(buffered.slice(0, newline))
      buffered = buffered.slice(newline + 1)
      newline = buffered.indexOf("\n")
    }
  })
  stream.on("end", () => {
    if (buffered !== "") onLine(buffered)
  })
}
