import * as Y from 'yjs';
import { CLOSE, REFUSAL_KEPT, REFUSAL_NOT_KEPT, documentSchemas } from '@outpost/model';
import { checkWrite, WriteRefused } from '../access/writeRules.ts';
import { summarize, type HeldUpdates } from '../access/HeldUpdates.ts';
import {
  HookError,
  type BeforeApplyUpdatePayload,
  type Extension,
  type OnLoadDocumentPayload,
} from '../core/types.ts';
import { PartlyKnown, SchemaViolation, inspectUpdate } from './validateUpdate.ts';
import type { Logger } from '../logger.ts';

/**
 * Checks every client update before it is applied: first its shape against the model's schema
 * (a violation closes the connection with 4400), then the sender's right to make each change
 * (role, grid scope, assignment, honest attribution). A refused change is put in the holding
 * queue for a supervisor, never silently dropped, and the connection is closed with 4403 and
 * the reason.
 */
export class UpdateGuard implements Extension {
  readonly name = 'update-guard';
  readonly priority = 900;

  constructor(
    private readonly held: HeldUpdates,
    private readonly logger: Logger,
    /** Can `userId` be assigned tasks of a board in `grid` of `workspaceId`? */
    private readonly assignable: (
      workspaceId: string,
      grid: string | null,
      userId: string,
    ) => boolean,
  ) {}

  /**
   * Declares the document's roots as the schema says (every root is a Y.Map). Without this, a
   * root the server has not asked for by name stays an untyped AbstractType, and hooks that
   * read it as a map (audit, notifications) would fail on documents only clients have touched.
   */
  onLoadDocument({ ref, doc }: OnLoadDocumentPayload): void {
    for (const root of Object.keys(documentSchemas[ref.kind])) doc.getMap(root);
  }

  beforeApplyUpdate({ documentName, ref, doc, update, origin }: BeforeApplyUpdatePayload): void {
    if (origin.kind !== 'connection') return;
    const context = origin.connection.context;
    let report;
    // Judge only what is new to the server: a client may resend content the server already
    // has (its whole local copy, when it connects before its local store has loaded).
    const onlyNew = () => Y.diffUpdate(update, Y.encodeStateVector(doc));
    let fresh: Uint8Array | null = null;
    try {
      try {
        // Usually no item is partly known: known items are skipped without encoding a diff.
        report = inspectUpdate(doc, update, documentSchemas[ref.kind], { onlyNew: true });
      } catch (error) {
        if (!(error instanceof PartlyKnown)) throw error;
        fresh = onlyNew();
        report = inspectUpdate(doc, fresh, documentSchemas[ref.kind]);
      }
    } catch (error) {
      if (error instanceof SchemaViolation) {
        throw new HookError(CLOSE.invalidMessage, `update refused: ${error.message}`);
      }
      throw error;
    }
    try {
      checkWrite(context, ref, context.documentGrid, doc, report, (userId) =>
        this.assignable(ref.workspaceId, context.documentGrid, userId),
      );
    } catch (error) {
      if (!(error instanceof WriteRefused)) throw error;
      // `hold` reads the document before its first await, so it judges the state refused
      // against. The refusal tells the client its changes are kept, so the connection closes
      // only once they are; if keeping them failed, it says so and the client keeps them.
      const kept = this.held
        .hold({
          workspaceId: ref.workspaceId,
          document: documentName,
          userId: context.userId,
          reason: error.message,
          summary: summarize([...report.inserted.map((e) => e.path), ...report.deleted]),
          update: fresh ?? onlyNew(),
          doc,
        })
        .then(
          () => undefined,
          (failure: unknown) => {
            this.logger.error('holding a refused change failed', {
              doc: documentName,
              error: String(failure),
            });
            return {
              code: CLOSE.forbidden,
              message: `not allowed: ${error.message}; ${REFUSAL_NOT_KEPT}`,
            };
          },
        );
      throw new HookError(CLOSE.forbidden, `not allowed: ${error.message}; ${REFUSAL_KEPT}`, kept);
    }
  }
}
