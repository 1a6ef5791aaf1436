import express from 'express';
import * as Y from 'yjs';
import { z } from 'zod';
import {
  can,
  csvCell,
  documentSchemas,
  parseDocName,
  rosterDocName,
  workspaceDocName,
} from '@outpost/model';
import { HeldQueueFull, addsAnything, summarize } from '../access/HeldUpdates.ts';
import type { AuditEntry } from '../access/AuditLog.ts';
import type { AuthContext } from '../core/types.ts';
import { readable } from '../extensions/AccountAuth.ts';
import { SchemaViolation, inspectUpdate } from '../extensions/validateUpdate.ts';
import type { ApiDeps } from './api.ts';
import { ApiError, idSchema, parse, requireJson, who } from './kit.ts';

const handInBody = z
  .object({
    document: z.string().min(1).max(200),
    /** The device's whole local state of the document, base64 (Y.encodeStateAsUpdate). */
    update: z
      .string()
      .min(1)
      .max(16 * 1024 * 1024),
  })
  .strict();
const auditQuery = z
  .object({
    entity: z.string().min(1).max(100).optional(),
    user: idSchema.optional(),
    document: z.string().min(1).max(200).optional(),
    before: z.coerce.number().int().positive().optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
    format: z.enum(['json', 'csv']).default('json'),
  })
  .strict();

/** The audit trail, the holding queue, and handing in offline work. */
export const recordRoutes = {
  /**
   * `POST /held/hand-in`: a device whose access ended (signed out everywhere, disabled) may
   * still hand in what it edited offline, with the session it had, for 14 days. What the
   * server does not already have goes to the holding queue for a supervisor.
   */
  public({ accounts, authenticator, access, hub, held }: ApiDeps): express.Router {
    const router = express.Router();
    router.post('/held/hand-in', express.json({ limit: '24mb' }), async (req, res) => {
      requireJson(req);
      const session = authenticator.sessionToken(req);
      const user =
        (await authenticator.authenticate(req)) ??
        (session ? await accounts.userForHandIn(session) : null);
      if (!user) throw new ApiError(401, 'authentication required');
      const userId = 'userId' in user ? user.userId : user.id;
      const { document, update } = parse(handInBody, req.body);
      const ref = parseDocName(document);
      if (!ref || ref.workspaceId !== user.workspaceId) throw new ApiError(404, 'no such document');
      if (ref.kind === 'board' && !(await access.board(ref)))
        throw new ApiError(404, 'no such document');
      if (ref.kind === 'roster' && !(await access.gridExists(ref.workspaceId, ref.id!)))
        throw new ApiError(404, 'no such document');
      const bytes = new Uint8Array(Buffer.from(update, 'base64'));
      const entry = await hub
        .read(document, (doc) => {
          let diff: Uint8Array;
          let paths: (readonly string[])[];
          try {
            if (!addsAnything(doc, bytes)) return 'nothing new' as const;
            diff = Y.diffUpdate(bytes, Y.encodeStateVector(doc));
            const report = inspectUpdate(doc, diff, documentSchemas[ref.kind]);
            paths = [...report.inserted.map((e) => e.path), ...report.deleted];
          } catch (error) {
            if (error instanceof SchemaViolation)
              throw new ApiError(400, `update: ${error.message}`);
            throw new ApiError(400, 'update: not a Yjs update');
          }
          return held.hold({
            workspaceId: ref.workspaceId,
            document,
            userId,
            reason: 'handed in after access ended',
            summary: summarize(paths),
            update: diff,
            doc,
          });
        })
        .catch((error: unknown) => {
          // Nothing was kept: the device keeps the changes and may hand them in later.
          if (error instanceof HeldQueueFull) throw new ApiError(409, error.message);
          throw error;
        });
      if (entry === 'nothing new' || entry === null) {
        res.json({ held: false, reason: 'the server already has every change' });
      } else {
        res.status(201).json({ held: true, id: entry.id });
      }
    });
    return router;
  },

  private({ accounts, access, audit, held, hub }: ApiDeps): express.Router {
    const router = express.Router();

    /** Documents whose audit entries and held changes this person may see. */
    const visibleDocuments = async (me: AuthContext): Promise<Set<string>> => {
      const boards = await access.readableBoards(me);
      const names = new Set(boards.map((b) => `board:${me.workspaceId}:${b.id}`));
      for (const grid of await access.readableRosters(me))
        names.add(rosterDocName(me.workspaceId, grid));
      if (can(me, 'people', 'read') && can(me, 'settings', 'read'))
        names.add(workspaceDocName(me.workspaceId));
      return names;
    };

    router.get('/audit', async (req, res) => {
      const me = who(req);
      const query = parse(auditQuery, req.query);
      if (!query.document && !can(me, 'reports', 'read')) {
        throw new ApiError(
          403,
          `your role (${me.role}) may see the history of a document, not the whole trail`,
        );
      }
      if (query.user && query.user !== me.userId && !can(me, 'reports', 'read')) {
        throw new ApiError(403, `your role (${me.role}) may not query other people's changes`);
      }
      const visible = await visibleDocuments(me);
      if (query.document && !visible.has(query.document))
        throw new ApiError(403, 'this document is outside your scope');
      const entries: AuditEntry[] = [];
      let before = query.before;
      // Filter to visible documents, paging through at most ten windows.
      for (let round = 0; round < 10 && entries.length < query.limit; round++) {
        const page = await audit.query({
          workspaceId: me.workspaceId,
          ...(query.entity ? { entity: query.entity } : {}),
          ...(query.user ? { userId: query.user } : {}),
          ...(query.document ? { document: query.document } : {}),
          ...(before ? { before } : {}),
          limit: query.limit,
        });
        entries.push(
          ...page.filter((e) => visible.has(e.document)).slice(0, query.limit - entries.length),
        );
        if (page.length < query.limit) break;
        before = page[page.length - 1]!.id;
      }
      if (query.format === 'csv') {
        if (!can(me, 'reports', 'read'))
          throw new ApiError(403, `your role (${me.role}) may not export the trail`);
        const names = new Map(
          (await accounts.users(me.workspaceId)).map((u) => [u.id, u.username]),
        );
        res.type('text/csv; charset=utf-8');
        res.setHeader('Content-Disposition', 'attachment; filename="outpost-audit.csv"');
        res.send(toCsv(entries, names));
        return;
      }
      res.json({ entries });
    });

    router.get('/held', async (req, res) => {
      const me = who(req);
      if (!can(me, 'tasks', 'edit'))
        throw new ApiError(403, `your role (${me.role}) may not review held changes`);
      const visible = await visibleDocuments(me);
      res.json({
        held: (await held.list(me.workspaceId)).filter((h) => visible.has(h.document)),
      });
    });

    router.post('/held/:heldId/:decision', async (req, res) => {
      const me = who(req);
      const decision = String(req.params.decision);
      if (decision !== 'accept' && decision !== 'reject') throw new ApiError(404, 'not found');
      if (!can(me, 'tasks', 'edit'))
        throw new ApiError(403, `your role (${me.role}) may not review held changes`);
      const entry = await held.get(me.workspaceId, String(req.params.heldId));
      if (!entry || !(await visibleDocuments(me)).has(entry.document))
        throw new ApiError(404, 'no such held change');
      if (entry.decision) throw new ApiError(409, `already ${entry.decision}`);
      const ref = parseDocName(entry.document)!;
      if (ref.kind === 'board') {
        const board = await access.board(ref);
        if (!board || !readable(me, board))
          throw new ApiError(403, 'this document is outside your scope');
      }
      if (decision === 'accept') {
        const data = (await held.data(me.workspaceId, entry.id))!;
        await hub.change(
          entry.document,
          me.userId,
          (doc) => {
            try {
              inspectUpdate(doc, data, documentSchemas[ref.kind]);
            } catch {
              throw new ApiError(
                409,
                'the document has changed too much to apply this; reject it instead',
              );
            }
            Y.applyUpdate(doc, data);
          },
          'held',
        );
      }
      await held.decide(entry.id, decision === 'accept' ? 'accepted' : 'rejected', me.userId);
      res.json({ held: await held.get(me.workspaceId, entry.id) });
    });
    return router;
  },
};

function toCsv(entries: readonly AuditEntry[], usernames: Map<string, string>): string {
  const header = ['id', 'at', 'device_at', 'user', 'document', 'via', 'entity', 'action', 'fields'];
  const rows = entries.map((e) =>
    [
      e.id,
      new Date(e.at).toISOString(),
      e.deviceAt === null ? '' : new Date(e.deviceAt).toISOString(),
      e.userId ? (usernames.get(e.userId) ?? e.userId) : 'system',
      e.document,
      e.via,
      e.entity ?? '',
      e.action,
      e.fields.join(' '),
    ]
      .map(csvCell)
      .join(','),
  );
  return '\uFEFF' + [header.join(','), ...rows].join('\r\n') + '\r\n';
}
