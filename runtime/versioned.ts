/**
 * A persistent value (every version stays readable and can be updated again) built on ONE mutable
 * store, after Baker's "shallow binding" (rerooting). The version that last touched the store owns
 * it; every other version is a list of undo operations leading towards the owner. For actor
 * states this fits the common use exactly: `evolve` updates the newest state, the host keeps an
 * older one only until it has snapshotted it, and tests branch off old states now and then.
 *
 * - Updating the owning version mutates the store in place: the cost of the operations plus one
 *   small node, instead of copying O(log n) nodes of a persistent tree per update.
 * - Reading or updating any other version first reroots: the operations between the two versions
 *   are undone (and their inverses recorded, so the other version can come back), O(distance).
 * - The store changes only through operations that return their inverse (`Store.apply`), so each
 *   version reads exactly what it read when it was made.
 *
 * Not thread-safe, and `read()` hands out the store itself: read it synchronously and keep no
 * reference into it, because the next access to another version rewrites it.
 */
export interface Store<Op> {
  /** Apply `op` and return the operation that undoes it. */
  apply(op: Op): Op
}

export class Versioned<S extends Store<Op>, Op> {
  private store: S | null
  /** Operations that turn the store of `next` into this version's (applied last to first). */
  private undo: ReadonlyArray<Op> | null = null
  private next: Versioned<S, Op> | null = null

  private constructor(store: S | null) {
    this.store = store
  }

  /** The first version of a freshly built store (the store must not be used directly afterwards). */
  static of<S extends Store<Op>, Op>(store: S): Versioned<S, Op> {
    return new Versioned<S, Op>(store)
  }

  /** This version's contents. Valid until another version is read or updated. */
  read(): S {
    return this.store ?? this.reroot()
  }

  /** A new version: this one with `ops` applied in order. This one stays valid. */
  update(ops: ReadonlyArray<Op>): Versioned<S, Op> {
    const store = this.read()
    const inverse = new Array<Op>(ops.length)
    let i = 0
    try {
      for (; i < ops.length; i++) inverse[i] = store.apply(ops[i]!)
    } catch (error) {
      // Leave this version exactly as it was: other versions read the same store.
      for (let j = i - 1; j >= 0; j--) store.apply(inverse[j]!)
      throw error
    }
    const newer = new Versioned<S, Op>(store)
    this.store = null
    this.undo = inverse
    this.next = newer
    return newer
  }

  /** Make this version the owner of the store: walk to the owner, then undo back towards this one. */
  private reroot(): S {
    // Called only when this version does not own the store: the owner is further along `next`.
    const path: Array<Versioned<S, Op>> = [this]
    let owner = this.next!
    while (owner.store === null) {
      path.push(owner)
      owner = owner.next!
    }
    const store = owner.store
    for (let i = path.length - 1; i >= 0; i--) {
      const node = path[i]!
      const from = node.next!
      const undo = node.undo!
      const redo = new Array<Op>(undo.length)
      for (let j = undo.length - 1, k = 0; j >= 0; j--, k++) redo[k] = store.apply(undo[j]!)
      from.store = null
      from.undo = redo
      from.next = node
      node.store = store
      node.undo = null
      node.next = null
    }
    return store
  }
}
