/** Plain-text tables and the number formats of the benchmarks' output. */

export const pad = (s: string, n: number) => (s.length >= n ? s : s + " ".repeat(n - s.length))
export const padLeft = (s: string, n: number) => (s.length >= n ? s : " ".repeat(n - s.length) + s)
export const fixed = (n: number | undefined, digits: number) => (n === undefined ? "-" : n.toFixed(digits))
export const pct = (n: number | undefined) => (n === undefined ? "-" : `${(n * 100).toFixed(0)}%`)
export const thousands = (n: number) => Math.round(n).toLocaleString("en-US")
export const yes = (b: boolean | undefined) => (b === undefined ? "-" : b ? "yes" : "NO")

/** A header line and one line per row; columns of `widths`, left-aligned where in `left`, else right-aligned; two spaces between. */
export const table = (header: ReadonlyArray<string>, widths: ReadonlyArray<number>, left: ReadonlySet<number>, rows: ReadonlyArray<ReadonlyArray<string>>) => {
  const line = (cells: ReadonlyArray<string>) => cells.map((c, i) => (left.has(i) ? pad(c, widths[i]!) : padLeft(c, widths[i]!))).join("  ")
  return [line(header), ...rows.map(line)].join("\n")
}

/** Print each table after an empty line, and an empty line after the last. */
export const printTables = (...tables: ReadonlyArray<string>) => {
  for (const t of tables) {
    console.log("")
    console.log(t)
  }
  console.log("")
}
