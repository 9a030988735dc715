/**
 * A synchronous, in-process `node:inspector` session. The Runtime and Debugger
 * domains answer an in-process session inside `post` (the callback has run when
 * `post` returns; checked on Node 20.20.2), which is what lets discovery read a
 * closure without going async. Every way this can fail becomes a typed result,
 * never an exception, so callers can fall back with the reason.
 */
import { createRequire } from "node:module";

/** A session whose `post` returns the result or throws the protocol error. */
export interface SyncSession {
  post<T = Record<string, unknown>>(method: string, params?: object): T;
  on(event: string, listener: (message: { params: Record<string, unknown> }) => void): void;
  off(event: string, listener: (message: { params: Record<string, unknown> }) => void): void;
}

export type OpenSessionResult =
  | { ok: true; session: SyncSession }
  | { ok: false; code: "INSPECTOR_UNAVAILABLE"; reason: string };

/** The shape of `node:inspector`'s `Session` that we use. */
export interface InspectorSessionLike {
  connect(): void;
  post(method: string, params: object, callback: (err: Error | null, result?: unknown) => void): void;
  on(event: string, listener: (message: { params: Record<string, unknown> }) => void): unknown;
  off?(event: string, listener: (message: { params: Record<string, unknown> }) => void): unknown;
  removeListener?(event: string, listener: (message: { params: Record<string, unknown> }) => void): unknown;
}

/** Loads the inspector module; replaceable so tests can simulate a Node built without it. */
export type InspectorLoader = () => { Session: new () => InspectorSessionLike };

const requireBuiltin = createRequire(import.meta.url);
export const loadNodeInspector: InspectorLoader = () => requireBuiltin("node:inspector");

/** Thrown by `post` when the inspector answers later than the call (never seen in-process, but guarded). */
export class AsyncAnswerError extends Error {}

/**
 * Opens and connects a session. Known failures, each returned as
 * INSPECTOR_UNAVAILABLE with Node's own message:
 * - Node built without the inspector (`process.features.inspector === false`):
 *   loading `node:inspector` throws ERR_INSPECTOR_NOT_AVAILABLE.
 * - The permission model (`--experimental-permission` without inspector rights):
 *   `connect()` throws ERR_ACCESS_DENIED (checked on Node 20.20.2).
 * `node --inspect` with a debugger attached, worker threads and
 * `--disallow-code-generation-from-strings` all still work (checked).
 */
export function openSession(load: InspectorLoader = loadNodeInspector): OpenSessionResult {
  if (process.features && (process.features as { inspector?: boolean }).inspector === false) {
    return { ok: false, code: "INSPECTOR_UNAVAILABLE", reason: "this Node.js was built without the inspector (process.features.inspector is false)" };
  }
  let raw: InspectorSessionLike;
  try {
    const mod = load();
    raw = new mod.Session();
    raw.connect();
  } catch (e) {
    const err = e as { code?: string; message?: string };
    return { ok: false, code: "INSPECTOR_UNAVAILABLE", reason: `node:inspector could not connect${err.code ? ` (${err.code})` : ""}: ${err.message ?? String(e)}` };
  }
  const session: SyncSession = {
    post<T>(method: string, params: object = {}): T {
      let answered = false;
      let error: Error | null = null;
      let result: unknown;
      raw.post(method, params, (err, res) => {
        answered = true;
        error = err;
        result = res;
      });
      if (!answered) throw new AsyncAnswerError(`the inspector answered ${method} asynchronously`);
      if (error) throw error;
      return result as T;
    },
    on(event, listener) {
      raw.on(event, listener);
    },
    off(event, listener) {
      if (raw.off) raw.off(event, listener);
      else raw.removeListener?.(event, listener);
    },
  };
  return { ok: true, session };
}
