import { randomBytes } from "node:crypto"
import { sku } from "../../actors/inventory/sku.ts"
import type { SkuView } from "../../actors/inventory/sku-schema.ts"
import { sale } from "../../actors/sales/sale.ts"
import type { MemberView, SaleCommand, SaleReply, SaleView } from "../../actors/sales/sale-schema.ts"
import type { ActorHost } from "../../runtime/host.ts"
import type { WsClient } from "../websocket.ts"
import type { SalesConfig } from "./config.ts"
import { admittedMessage, movedEnough, positionMessage, stateMessage } from "./messages.ts"
import type { SaleMetrics } from "./metrics.ts"
import type { KeyRing } from "./tokens.ts"

/**
 * The waiting room's live side in this process: the sockets of each sale by user, a ticker that
 * drives every sale it knows (the actor decides; the hub only carries the time and the news),
 * position pushes, state announcements, and the sold-out watch over the sale's SKUs.
 *
 * Presence: the hub's `epoch` names this process's life. A user's first socket here joins (or
 * reconnects) under it; the last one closing sends `Leave`. After a restart the first tick
 * carries a new epoch, so everyone is away until they reconnect, within the grace.
 */

interface Room {
  readonly saleId: string
  readonly sockets: Map<string, Set<WsClient>>
  /** The last position pushed to each user, and when. */
  readonly sent: Map<string, { position: number; atMs: number }>
  view: SaleView | undefined
  announced: SaleView["state"] | undefined
  positions: { readonly atMs: number; readonly byUser: Map<string, number> } | undefined
  lineup: Promise<Map<string, number>> | undefined
  ticking: boolean
  /** Since when nothing of the sale's SKUs has been available while some units were still held. */
  emptyHeldSinceMs: number | undefined
}

export interface SaleHubDeps {
  readonly host: ActorHost
  readonly keys: KeyRing
  readonly config: SalesConfig
  readonly metrics: SaleMetrics
  readonly log?: (message: string, detail?: unknown) => void
}

export class SaleHub {
  readonly epoch = `g${Date.now().toString(36)}${randomBytes(6).toString("hex")}`
  private readonly rooms = new Map<string, Room>()
  private timer: NodeJS.Timeout | undefined

  constructor(private readonly deps: SaleHubDeps) {}

  start() {
    this.timer ??= setInterval(() => this.tickAll(), this.deps.config.tickMs)
    this.timer.unref()
  }

  stop() {
    if (this.timer !== undefined) clearInterval(this.timer)
    this.timer = undefined
  }

  ask(saleId: string, command: SaleCommand, nowMs = Date.now()): Promise<SaleReply> {
    return this.deps.host.ask<SaleReply>(sale, saleId, command, nowMs)
  }

  /** Make sure this process ticks the sale (a connection, a poll, a read or its creation). */
  touch(saleId: string): Room {
    let room = this.rooms.get(saleId)
    if (room === undefined) {
      room = { saleId, sockets: new Map(), sent: new Map(), view: undefined, announced: undefined, positions: undefined, lineup: undefined, ticking: false, emptyHeldSinceMs: undefined }
      this.rooms.set(saleId, room)
    }
    return room
  }

  get socketCount(): number {
    let n = 0
    for (const room of this.rooms.values()) for (const set of room.sockets.values()) n += set.size
    return n
  }

  // ---------------------------------------------------------------- sockets

  /** A join message on `client`: take (or keep) the user's place and tell the client where it stands. */
  async join(client: WsClient, saleId: string, nowMs: number): Promise<void> {
    const userId = client.caller.userId
    const room = this.touch(saleId)
    const reply = await this.ask(saleId, { _tag: "Join", user_id: userId, epoch: this.epoch }, nowMs)
    if (reply._tag !== "Member" && reply._tag !== "Sale") return
    room.view = reply.sale
    room.announced ??= reply.sale.state
    if (client.closed) {
      // The socket closed while the join was in flight: the user may now have no socket here.
      if (!room.sockets.has(userId)) void this.leave(room, userId, Date.now())
      return
    }
    let set = room.sockets.get(userId)
    if (set === undefined) room.sockets.set(userId, (set = new Set()))
    set.add(client)
    this.deps.metrics.join(reply._tag === "Member" ? reply.member.status : reply.sale.state)
    if (reply._tag === "Member") await this.greet(room, client, reply.sale, reply.member, nowMs)
    const closed = stateMessage(undefined, reply.sale.state)
    if (closed !== undefined && reply.sale.state !== "open") client.send(closed)
  }

  private async greet(room: Room, client: WsClient, view: SaleView, member: MemberView, nowMs: number) {
    if (member.status === "admitted" && member.token_id !== null && member.expires_at_ms !== null) {
      client.send(admittedMessage(this.deps.keys.issue({ saleId: room.saleId, userId: member.user_id, tokenId: member.token_id, expiresAtMs: member.expires_at_ms }), member.expires_at_ms))
      return
    }
    if (member.status !== "waiting") return
    // A new place is the last one; a returning shopper's place comes from the line.
    const fresh = member.joined_at_ms === nowMs
    const position = fresh ? view.queued : ((await this.positionsOf(room, nowMs)).get(member.user_id) ?? view.queued)
    room.sent.set(member.user_id, { position, atMs: nowMs })
    client.send(positionMessage("queued", view, position, nowMs))
  }

  /** A socket closed: when it was the user's last one here, the user is away from now on. */
  closed(client: WsClient, saleId: string) {
    const room = this.rooms.get(saleId)
    const userId = client.caller.userId
    const set = room?.sockets.get(userId)
    if (room === undefined || set === undefined || !set.delete(client)) return
    if (set.size > 0) return
    room.sockets.delete(userId)
    room.sent.delete(userId)
    void this.leave(room, userId, Date.now())
  }

  private async leave(room: Room, userId: string, nowMs: number) {
    try {
      await this.ask(room.saleId, { _tag: "Leave", user_id: userId, epoch: this.epoch }, nowMs)
    } catch {
      // Not in the queue (the join never landed) or the actor is unavailable: the grace covers it.
    }
  }

  // ---------------------------------------------------------------- positions

  /** Positions of every waiting user, at most one tick old (one Lineup in flight per sale). */
  async positionsOf(room: Room, nowMs: number, maxAgeMs = this.deps.config.tickMs): Promise<Map<string, number>> {
    if (room.positions !== undefined && nowMs - room.positions.atMs < maxAgeMs) return room.positions.byUser
    room.lineup ??= this.ask(room.saleId, { _tag: "Lineup" }, nowMs)
      .then((reply) => {
        const byUser = new Map<string, number>()
        if (reply._tag === "Line") {
          const banned = new Set(reply.banned)
          let ahead = 0
          for (const userId of reply.line) {
            byUser.set(userId, ahead + 1)
            if (!banned.has(userId)) ahead++
          }
          room.view = reply.sale
        }
        room.positions = { atMs: nowMs, byUser }
        return byUser
      })
      .finally(() => {
        room.lineup = undefined
      })
    return room.lineup
  }

  /** The polling fallback: the user's `position` message (or what replaced it). */
  async status(saleId: string, userId: string, nowMs: number): Promise<unknown> {
    const reply = await this.ask(saleId, { _tag: "Member", user_id: userId }, nowMs)
    // Only a sale that exists gets a room (a made-up id must not make the ticker work).
    const room = this.touch(saleId)
    if (reply._tag !== "Member") return undefined
    const { sale: view, member } = reply
    if (view.state === "sold_out" || view.state === "ended") return { type: view.state }
    if (member.status === "admitted" && member.token_id !== null && member.expires_at_ms !== null) {
      return admittedMessage(this.deps.keys.issue({ saleId, userId, tokenId: member.token_id, expiresAtMs: member.expires_at_ms }), member.expires_at_ms)
    }
    if (member.status !== "waiting") return undefined
    // Positions up to a tick old may predate this user's join: then ask for the line afresh.
    const position = (await this.positionsOf(room, nowMs)).get(userId) ?? (await this.positionsOf(room, nowMs, 0)).get(userId) ?? view.queued
    return positionMessage("position", view, position, nowMs)
  }

  // ---------------------------------------------------------------- the ticker

  private tickAll() {
    const nowMs = Date.now()
    for (const room of this.rooms.values()) {
      if (room.ticking) continue
      room.ticking = true
      this.tick(room, nowMs)
        .catch((error: unknown) => this.onTickError(room, error))
        .finally(() => {
          room.ticking = false
        })
    }
  }

  private onTickError(room: Room, error: unknown) {
    if ((error as { _tag?: string })._tag === "SaleNotFound") {
      this.rooms.delete(room.saleId)
      return
    }
    this.deps.log?.(`sale ${room.saleId}: tick failed`, error)
  }

  /** One beat of one sale: the actor's tick, then the news to the sockets. */
  async tick(room: Room, nowMs: number): Promise<void> {
    const reply = await this.ask(room.saleId, { _tag: "Tick", epoch: this.epoch }, nowMs)
    if (reply._tag !== "Ticked") return
    let view = reply.sale
    for (const a of reply.admitted) {
      this.deps.metrics.admittedOne(room.saleId, a.waited_ms)
      const sockets = room.sockets.get(a.user_id)
      room.sent.delete(a.user_id)
      if (sockets === undefined) continue
      const message = admittedMessage(this.deps.keys.issue({ saleId: room.saleId, userId: a.user_id, tokenId: a.token_id, expiresAtMs: a.expires_at_ms }), a.expires_at_ms)
      for (const client of sockets) client.send(message)
    }
    if (reply.abandoned.length > 0) this.deps.metrics.abandonedSome(room.saleId, reply.abandoned.length)
    if (reply.expired.length > 0) this.deps.metrics.expiredSome(room.saleId, reply.expired.length)
    if ((view.state === "open" || view.state === "paused") && (await this.soldOut(room, view, nowMs))) {
      const marked = await this.ask(room.saleId, { _tag: "MarkSoldOut" }, nowMs)
      if (marked._tag === "Sale") view = marked.sale
    }
    room.view = view
    this.deps.metrics.observe(view)
    this.announce(room, view)
    if (view.state === "ended" && room.sockets.size === 0) {
      this.rooms.delete(room.saleId)
      return
    }
    if (room.sockets.size > 0 && view.state !== "sold_out" && view.state !== "ended") await this.pushPositions(room, view, nowMs, reply.changed)
  }

  private announce(room: Room, view: SaleView) {
    const message = stateMessage(room.announced, view.state)
    room.announced = view.state
    if (message === undefined) return
    for (const set of room.sockets.values()) for (const client of set) client.send(message)
  }

  private async pushPositions(room: Room, view: SaleView, nowMs: number, changed: boolean) {
    const due = Array.from(room.sent.values()).some((s) => nowMs - s.atMs >= this.deps.config.pushEveryMs)
    if (!changed && !due && room.sent.size >= room.sockets.size) return
    const positions = await this.positionsOf(room, nowMs, changed ? 0 : this.deps.config.tickMs)
    for (const [userId, sockets] of room.sockets) {
      const position = positions.get(userId)
      if (position === undefined) continue
      const last = room.sent.get(userId)
      if (last !== undefined && !movedEnough(last.position, position) && nowMs - last.atMs < this.deps.config.pushEveryMs) continue
      room.sent.set(userId, { position, atMs: nowMs })
      const message = positionMessage("position", view, position, nowMs)
      for (const client of sockets) client.send(message)
    }
  }

  /**
   * Every SKU of the sale has nothing left to sell: nothing available and nothing held (a hold may
   * still come back when its checkout fails), or nothing available for `heldGraceMs` (a hold left
   * by a crashed checkout must not keep admitting shoppers who cannot buy). An unknown SKU counts
   * as not sold out.
   */
  private async soldOut(room: Room, view: SaleView, nowMs: number): Promise<boolean> {
    const views = await Promise.all(
      view.config.sku_ids.map((skuId) => this.deps.host.ask<SkuView>(sku, skuId, { _tag: "Get" }, nowMs).then((v) => v, () => undefined))
    )
    if (!views.every((v) => v !== undefined && v.available <= 0)) {
      room.emptyHeldSinceMs = undefined
      return false
    }
    if (views.every((v) => v!.reserved === 0)) return true
    room.emptyHeldSinceMs ??= nowMs
    return nowMs - room.emptyHeldSinceMs >= heldGraceMs
  }
}

const heldGraceMs = 30_000
