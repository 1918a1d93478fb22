import { createHmac, randomBytes } from "node:crypto"
import { mkdir, open, readFile } from "node:fs/promises"
import { join } from "node:path"

/**
 * The simulator's own secret, kept in `DATA_DIR/fingerprint.key` (created once, mode 0600): it
 * keys the card fingerprints (stable across restarts) and the request hashes of idempotency
 * records, so neither can be reversed into a card number by guessing.
 */
export const loadOrCreateKey = async (dir: string): Promise<Buffer> => {
  await mkdir(dir, { recursive: true })
  const path = join(dir, "fingerprint.key")
  try {
    return Buffer.from((await readFile(path, "utf8")).trim(), "hex")
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ENOENT") throw error
  }
  const key = randomBytes(32)
  const file = await open(path, "wx", 0o600).catch(async (error: NodeJS.ErrnoException) => {
    // Another process created it first: use theirs.
    if (error.code === "EEXIST") return null
    throw error
  })
  if (file === null) return Buffer.from((await readFile(path, "utf8")).trim(), "hex")
  try {
    await file.writeFile(key.toString("hex"))
    await file.sync()
  } finally {
    await file.close()
  }
  return key
}

export const keyedHash = (key: Buffer, text: string): string => createHmac("sha256", key).update(text).digest("base64url")

/** A random id with a type prefix, e.g. `pay_…` (24 base62 characters, ~143 bits). */
export const randomId = (prefix: string): string => {
  const alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
  const bytes = randomBytes(24)
  let id = ""
  for (const byte of bytes) id += alphabet[byte % 62]
  return `${prefix}_${id}`
}
