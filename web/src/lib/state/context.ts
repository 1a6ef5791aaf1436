import { createContext } from 'svelte';
import type { BoardState } from './board-state.svelte.ts';
import type { NotificationCenter } from './notifications.svelte.ts';
import type { SessionState } from './session-state.svelte.ts';
import type { WorkspaceState } from './workspace-state.svelte.ts';

/** The signed-in person, live, set by the `(app)` layout. */
export const [getSession, setSession] = createContext<SessionState>();

/** The signed-in user's workspace, set by the `(app)` layout. */
export const [getWorkspace, setWorkspace] = createContext<WorkspaceState>();

/** Live notifications (socket.io), set by the `(app)` layout. */
export const [getNotifications, setNotifications] = createContext<NotificationCenter>();

/** The open board, set by the board view. */
export const [getBoard, setBoard] = createContext<BoardState>();
