import { memoryStorageLayer } from "./memory.ts"
import { storageContract } from "./contract.ts"

storageContract("in-memory", () => ({ layer: memoryStorageLayer() }))
