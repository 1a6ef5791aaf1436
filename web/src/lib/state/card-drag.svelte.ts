import type { TaskStatus } from '@outpost/model';
import { TASK_STATUSES } from '@outpost/model';

/** Pixels the pointer must travel before a press on the handle becomes a drag. */
const DRAG_THRESHOLD = 4;
/** Distance from the board's left/right edge at which it scrolls sideways while dragging. */
const EDGE_SCROLL_ZONE = 48;
const EDGE_SCROLL_STEP = 24;

export interface DropTarget {
  status: TaskStatus;
  /** Card the dragged one goes before; null: at the end of the column. */
  beforeId: string | null;
}

/**
 * Drag and drop of cards with pointer events (mouse, pen and touch alike; HTML5 drag and drop
 * does not work with touch on most phones). A press on a card's handle that travels a few
 * pixels starts the drag; the card follows the pointer; columns (`[data-column]`) and cards
 * (`[data-card-id]`) under the pointer give the drop target; release calls `onDrop`, which
 * moves the card through `TaskBoard.move`. Escape cancels.
 */
export class CardDrag {
  /** Card being dragged and how far it has moved from where it was picked up. */
  active = $state<{ id: string; dx: number; dy: number } | null>(null);
  target = $state<DropTarget | null>(null);

  private pending: {
    id: string;
    pointerId: number;
    startX: number;
    startY: number;
    handle: HTMLElement;
  } | null = null;

  constructor(
    private readonly onDrop: (id: string, target: DropTarget) => void,
    private readonly scroller: () => HTMLElement | null,
  ) {}

  /** Call from the handle's `pointerdown`. */
  start(event: PointerEvent, id: string): void {
    if (event.button !== 0 || this.pending) return;
    const handle = event.currentTarget as HTMLElement;
    this.pending = {
      id,
      pointerId: event.pointerId,
      startX: event.clientX,
      startY: event.clientY,
      handle,
    };
    handle.setPointerCapture?.(event.pointerId);
    window.addEventListener('pointermove', this.onMove);
    window.addEventListener('pointerup', this.onUp);
    window.addEventListener('pointercancel', this.onCancel);
    window.addEventListener('keydown', this.onKey);
  }

  private readonly onMove = (event: PointerEvent) => {
    const p = this.pending;
    if (!p || event.pointerId !== p.pointerId) return;
    const dx = event.clientX - p.startX;
    const dy = event.clientY - p.startY;
    if (!this.active && Math.hypot(dx, dy) < DRAG_THRESHOLD) return;
    event.preventDefault();
    this.active = { id: p.id, dx, dy };
    this.target = this.hitTest(event.clientX, event.clientY, p.id);
    this.edgeScroll(event.clientX);
  };

  private readonly onUp = (event: PointerEvent) => {
    const p = this.pending;
    if (!p || event.pointerId !== p.pointerId) return;
    const target = this.active ? this.hitTest(event.clientX, event.clientY, p.id) : null;
    const id = p.id;
    this.finish();
    if (target) this.onDrop(id, target);
  };

  private readonly onCancel = () => this.finish();

  private readonly onKey = (event: KeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      this.finish();
    }
  };

  private finish(): void {
    const p = this.pending;
    if (p?.handle.hasPointerCapture?.(p.pointerId)) p.handle.releasePointerCapture(p.pointerId);
    this.pending = null;
    this.active = null;
    this.target = null;
    window.removeEventListener('pointermove', this.onMove);
    window.removeEventListener('pointerup', this.onUp);
    window.removeEventListener('pointercancel', this.onCancel);
    window.removeEventListener('keydown', this.onKey);
  }

  private hitTest(x: number, y: number, draggedId: string): DropTarget | null {
    const column = document
      .elementsFromPoint(x, y)
      .map((el) => el.closest<HTMLElement>('[data-column]'))
      .find((el): el is HTMLElement => el !== null);
    const status = column?.dataset.column as TaskStatus | undefined;
    if (!column || !status || !TASK_STATUSES.includes(status)) return null;
    const cards = [...column.querySelectorAll<HTMLElement>('[data-card-id]')].filter(
      (el) => el.dataset.cardId !== draggedId,
    );
    for (const card of cards) {
      const rect = card.getBoundingClientRect();
      if (y < rect.top + rect.height / 2) return { status, beforeId: card.dataset.cardId ?? null };
    }
    return { status, beforeId: null };
  }

  private edgeScroll(x: number): void {
    const el = this.scroller();
    if (!el || el.scrollWidth <= el.clientWidth) return;
    const rect = el.getBoundingClientRect();
    if (x < rect.left + EDGE_SCROLL_ZONE) el.scrollBy({ left: -EDGE_SCROLL_STEP });
    else if (x > rect.right - EDGE_SCROLL_ZONE) el.scrollBy({ left: EDGE_SCROLL_STEP });
  }
}
