/** FNV-1a over the UTF-16 code units of the key: stable across processes and versions. */
export const shardOf = (key: string, shardCount: number): number => {
  let h = 0x811c9dc5
  for (let i = 0; i < key.length; i++) {
    h ^= key.charCodeAt(i)
    h = Math.imul(h, 0x01000193)
  }
  return (h >>> 0) % shardCount
}
