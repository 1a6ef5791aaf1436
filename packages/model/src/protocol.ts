/**
 * Outpost's additions to the y-websocket protocol. Standard y-websocket messages
 * (0 sync, 1 awareness, 3 query awareness) are unchanged; the server never sends these
 * additions to a client that has not first sent one itself, so standard clients never see them.
 */

/**
 * Durable acknowledgement. The client sends `[MESSAGE_SAVED, varUint seq]` after its updates;
 * the server answers `[MESSAGE_SAVED, varUint seq]` once every update it received on that
 * connection before the request is stored durably. A client can therefore show "saved" only
 * for what the server has really written.
 */
export const MESSAGE_SAVED = 100;

/**
 * Sent by the server before it closes a connection for a reason the user should see:
 * `[MESSAGE_NOTICE, varString code, varString message]`. Only sent to clients that opted in
 * by sending MESSAGE_SAVED at least once.
 */
export const MESSAGE_NOTICE = 101;

/**
 * How a 4403 refusal of a change ends (`not allowed: <why>; <this>`). The server sends the
 * first only once the refused change is stored for a supervisor's review, so the client may
 * forget its copy; with the second (storing it failed), the client keeps it and hands it in
 * itself.
 */
export const REFUSAL_KEPT = 'your changes are kept for a supervisor to review';
export const REFUSAL_NOT_KEPT = 'your changes could not be kept; they stay on this device';

/** WebSocket close codes used by the Yjs endpoint. */
export const CLOSE = {
  /** Server shutting down; clients should reconnect. */
  goingAway: 1001,
  /** A frame that is not a valid y-websocket message, or an update that breaks the schema. */
  invalidMessage: 4400,
  /** The session ended or the token was revoked. */
  unauthorized: 4401,
  /** Not allowed to open this document. */
  forbidden: 4403,
  /** Unknown document name. */
  notFound: 4404,
  /** The client sent messages faster than any person could (flood protection). */
  tooManyMessages: 4429,
  /** The document would grow past the configured maximum size. */
  documentTooLarge: 4413,
  /**
   * The client read too slowly: more was waiting to be sent to it than the server keeps for one
   * connection. It reconnects and catches up with one sync instead of an endless backlog.
   */
  tooSlow: 4408,
  /** The server could not load or store the document. */
  serverError: 4500,
} as const;
