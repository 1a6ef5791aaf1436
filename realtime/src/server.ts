import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
import { newId } from '@outpost/model';
import helmet from 'helmet';
import { AccountStore } from './accounts/AccountStore.ts';
import { Authenticator } from './accounts/Authenticator.ts';
import type { Config } from './config.ts';
import { YjsHub } from './core/YjsHub.ts';
import { seedDemo } from './demo/seed.ts';
import { AccountAuth } from './extensions/AccountAuth.ts';
import { UpdateGuard } from './extensions/UpdateGuard.ts';
import { AuditTrail } from './extensions/AuditTrail.ts';
import { AccessService } from './access/AccessService.ts';
import { AuditLog } from './access/AuditLog.ts';
import { HeldUpdates } from './access/HeldUpdates.ts';
import { StorePersistence } from './extensions/StorePersistence.ts';
import { TaskNotifications } from './extensions/TaskNotifications.ts';
import { createApiRouter } from './http/api.ts';
import { createSocketIo, notifyUser } from './http/socketio.ts';
import { attachYjsEndpoint } from './http/yjsEndpoint.ts';
import { createLogger, type Logger } from './logger.ts';
import { openSqlite } from './store/Database.ts';
import { SqlDocumentStore } from './store/SqlDocumentStore.ts';

export interface OutpostServer {
  /** `http://host:port` once listening. */
  readonly url: string;
  readonly port: number;
  readonly hub: YjsHub;
  readonly accounts: AccountStore;
  /** Set when demo mode created the demo accounts on this start (or found their password file). */
  readonly demoPassword: string | null;
  /** Stops accepting, closes sockets (1001), stores every document and closes the store. */
  close(): Promise<void>;
}

/**
 * Security headers (helmet). The content security policy allows only this origin, plus inline
 * scripts and styles (SvelteKit's start-up script and Svelte's scoped styles).
 */
function securityHeaders(config: Config): express.RequestHandler {
  return helmet({
    contentSecurityPolicy: {
      useDefaults: false,
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'", "'unsafe-inline'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:', 'blob:'],
        connectSrc: ["'self'", 'ws:', 'wss:'],
        workerSrc: ["'self'"],
        manifestSrc: ["'self'"],
        fontSrc: ["'self'", 'data:'],
        objectSrc: ["'none'"],
        baseUri: ["'self'"],
        frameAncestors: ["'none'"],
        formAction: ["'self'"],
      },
    },
    // Plain http on a LAN is the quick start; HSTS only makes sense behind TLS.
    strictTransportSecurity: config.secureCookies,
    referrerPolicy: { policy: 'same-origin' },
    crossOriginEmbedderPolicy: false,
  });
}

/** How often open sockets re-check their credential against the store. */
const CREDENTIAL_SWEEP_MS = 15_000;

export async function startServer(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
): Promise<OutpostServer> {
  const sql = openSqlite(config.dataDir);
  const store = new SqlDocumentStore(sql);
  const accounts = new AccountStore(sql, config.sessionTtlMs);
  const authenticator = new Authenticator(accounts);
  const demoPassword = config.demo
    ? await seedDemo({
        accounts,
        store,
        dataDir: config.dataDir,
        password: config.demoPassword,
        logger,
      })
    : null;

  const audit = new AuditLog(sql);
  const held = new HeldUpdates(sql);
  const app = express();
  const server = http.createServer(app);
  const access = new AccessService(accounts, authenticator);
  const hub = new YjsHub({
    extensions: [
      new AccountAuth(authenticator, access),
      new StorePersistence(store, { compactEvery: config.compactEvery, nodeId: newId() }),
      new AuditTrail(audit),
      new UpdateGuard(held, logger, (workspaceId, grid, userId) =>
        access.assignable(workspaceId, grid, userId),
      ),
      new TaskNotifications((userId, notification) => notifyUser(io, userId, notification)),
    ],
    maxMessageBytes: config.maxMessageBytes,
    maxDocumentBytes: config.maxDocumentBytes,
    unloadGraceMs: config.unloadGraceMs,
    logger,
  });
  const io = createSocketIo(server, authenticator);
  access.attach(hub, io);
  for (const workspace of await accounts.workspaces()) {
    for (const user of await accounts.users(workspace.id)) await access.syncMember(user);
  }

  app.disable('x-powered-by');
  app.set('trust proxy', 'loopback');
  app.use(securityHeaders(config));
  app.get('/healthz', (_req, res) => {
    res.json({ ok: true });
  });
  app.get('/readyz', async (_req, res) => {
    const ok = await store.ping().catch(() => false);
    res.status(ok ? 200 : 503).json({ ok, store: ok ? 'up' : 'down' });
  });
  app.use(
    '/api',
    createApiRouter({ config, accounts, authenticator, hub, access, audit, held, logger }),
  );
  app.use(await webHandler(config.webBuildDir, logger));

  const yjs = attachYjsEndpoint(server, hub, { maxMessageBytes: config.maxMessageBytes, logger });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const sessionPurge = setInterval(
    () =>
      accounts.purgeExpiredSessions().catch((error: unknown) => {
        logger.warn('purging sessions failed', { error: String(error) });
      }),
    3600_000,
  );
  sessionPurge.unref();
  // Revocations made elsewhere (the admin CLI, an expired session) reach open sockets here.
  const credentialSweep = setInterval(() => {
    access.revokeInvalid('session ended').catch((error: unknown) => {
      logger.warn('credential sweep failed', { error: String(error) });
    });
  }, CREDENTIAL_SWEEP_MS);
  credentialSweep.unref();

  let closing: Promise<void> | null = null;
  return {
    url: `http://${shownHost}:${port}`,
    port,
    hub,
    accounts,
    demoPassword,
    close() {
      closing ??= (async () => {
        clearInterval(sessionPurge);
        clearInterval(credentialSweep);
        server.close();
        await hub.close();
        yjs.terminateAll();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        server.closeAllConnections();
        await sql.close();
      })();
      return closing;
    },
  };
}

/** The built SvelteKit app (adapter-node), or a clear page saying how to build it. */
async function webHandler(buildDir: string, logger: Logger): Promise<express.RequestHandler> {
  const file = path.join(buildDir, 'handler.js');
  if (!fs.existsSync(file)) {
    logger.warn('web app not built', { expected: file });
    return (_req, res) => {
      res
        .status(503)
        .type('text/plain')
        .send('The Outpost web app is not built. Run `pnpm build`, then start again.\n');
    };
  }
  const module = (await import(pathToFileURL(file).href)) as { handler: express.RequestHandler };
  return module.handler;
}
