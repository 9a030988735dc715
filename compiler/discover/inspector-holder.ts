/**
 * The inspector-protocol side of a closure read (closure.ts): values go to and come back
 * from the inspector through one object of ours, the holder, so no getter of theirs runs.
 * A value is handed over as an argument (`remoteId`), a list of remote objects comes back
 * as the real values by reference (`fetchValues`), and the remote objects of one read are
 * released after it (`withHolder`).
 */
import { monotonicNs } from "../../intrinsic-clocks.js";
import type { SyncSession } from "./inspector-session.js";

export type RemoteObject = { type: string; subtype?: string; value?: unknown; unserializableValue?: string; objectId?: string; description?: string };
export type PropertyDescriptor_ = { name: string; value?: RemoteObject };
export type InternalProperty = { name: string; value?: RemoteObject & { value?: { scriptId: string; lineNumber: number; columnNumber: number } } };

/** One call of the inspector session, typed by its result. */
export type Post = <R>(method: string, params: object) => R;

interface Holder { fn?: Function; out?: ArrayLike<unknown> }

/** Remote objects of one read, released after it. */
const OBJECT_GROUP = "kos-discover";
/** The holder alone, kept for the session. */
const HOLDER_GROUP = "kos-discover-holder";

/** The holder of one reader (one session) and the reads made through it. */
export class InspectorHolder {
  /**
   * Our own object, known to the inspector for the session's life: `fn` takes the function,
   * `out` the values coming back. Prototype-less, so no inherited accessor can be reached.
   * Emptied after every read.
   */
  private readonly holder: Holder = Object.create(null) as Holder;
  private holderId: string | null = null;

  /**
   * Runs `work` with the holder handed to the inspector (`holderId` null when it cannot be:
   * globalThis not extensible), then empties the holder and releases the remote objects made.
   */
  withHolder<T>(session: SyncSession, work: (post: Post, holderId: string | null) => T): T {
    const post = <R>(method: string, params: object): R => session.post<R>(method, params);
    try {
      return work(post, this.holderObjectId(session));
    } finally {
      this.holder.fn = undefined;
      this.holder.out = undefined;
      try {
        session.post("Runtime.releaseObjectGroup", { objectGroup: OBJECT_GROUP });
      } catch {
        // Nothing to release when the session failed early.
      }
    }
  }

  /** The inspector's id for `value`, passed through the holder (no getter of it runs). */
  remoteId(post: Post, holderId: string, value: unknown): string {
    this.holder.fn = value as Function;
    return post<{ result: RemoteObject }>("Runtime.callFunctionOn", { objectId: holderId, functionDeclaration: "function () { return this.fn; }", objectGroup: OBJECT_GROUP, silent: true }).result.objectId!;
  }

  /** One call brings every remote value back as the real value, by reference (no getters run: arguments are passed, not read). */
  fetchValues(post: Post, holderId: string, ros: RemoteObject[]): unknown[] {
    if (ros.length === 0) return [];
    const holder = this.holder;
    const args = ros.map((ro) => ro.objectId ? { objectId: ro.objectId } : ro.unserializableValue !== undefined ? { unserializableValue: ro.unserializableValue } : ro.type === "undefined" ? {} : { value: ro.value });
    post("Runtime.callFunctionOn", { objectId: holderId, functionDeclaration: "function () { this.out = arguments; }", arguments: args, objectGroup: OBJECT_GROUP, silent: true });
    const got = holder.out!;
    holder.out = undefined;
    return Array.from({ length: ros.length }, (_, i) => got[i]);
  }

  /**
   * Hands our holder to the inspector once per session: under an unguessable,
   * non-enumerable global name, evaluated as a bare identifier (nothing a program
   * did to `globalThis` can redirect it) and deleted at once.
   */
  private holderObjectId(session: SyncSession): string | null {
    if (this.holderId) return this.holderId;
    // Unique in this realm is all the name needs (a taken name fails the define below: null). Not
    // node:crypto's randomUUID: loading node:crypto loads node:stream, 4 ms of CPU at the first compile.
    const key = `__kos_discover_${process.pid}_${monotonicNs().toString(36)}`;
    if (!Reflect.defineProperty(globalThis, key, { value: this.holder, configurable: true, enumerable: false, writable: false })) return null;
    try {
      this.holderId = session.post<{ result: RemoteObject }>("Runtime.evaluate", { expression: key, objectGroup: HOLDER_GROUP, silent: true }).result.objectId ?? null;
    } finally {
      Reflect.deleteProperty(globalThis, key);
    }
    return this.holderId;
  }
}
