import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import express from 'express';
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
import { openSql } from './store/open.ts';
import { createMetrics } from './cluster/metrics.ts';
import type { RedisClient, RedisRelay } from './cluster/RedisRelay.ts';
import { RosterAlarms } from './roster/RosterAlarms.ts';
import { createDutyRouter } from './roster/dutyApi.ts';
import { SqlDocumentStore } from './store/SqlDocumentStore.ts';
import { SummaryService } from './summary/SummaryService.ts';
import { attachSummaryFeed, summaryWatchers } from './summary/summaryFeed.ts';

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
        // Map tiles come from the workspace's tile server, wherever it is.
        imgSrc: ["'self'", 'data:', 'blob:', 'https:', 'http:'],
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

/** How long `/readyz` waits for the store and Redis before calling them down. */
const READY_TIMEOUT_MS = 2_000;

/** Resolves to the promise's value, or false when it fails or takes longer than `ms`. */
function withTimeout(promise: Promise<boolean>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout;
  return Promise.race([
    promise.catch(() => false),
    new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
  ]).finally(() => clearTimeout(timer));
}

function isLoopback(address: string | undefined): boolean {
  return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
}

/** How often open sockets re-check their credential against the store. */

export async function startServer(
  config: Config,
  logger: Logger = createLogger(config.logLevel),
): Promise<OutpostServer> {
  const sql = await openSql(config, logger);
  const store = new SqlDocumentStore(sql);
  const accounts = new AccountStore(sql, config.sessionTtlMs);
  const authenticator = new Authenticator(accounts);
  const metrics = createMetrics(config.nodeId);
  // Several nodes may start at once: whichever takes the lock first seeds, the others find it done.
  const demoPassword = config.demo
    ? await sql.lock('outpost:demo-seed', () =>
        seedDemo({
          accounts,
          store,
          dataDir: config.dataDir,
          password: config.demoPassword,
          logger,
        }),
      )
    : null;
  // Loaded only in cluster mode: a single node starts without the Redis client.
  const relay: RedisRelay | null = config.redisUrl
    ? new (await import('./cluster/RedisRelay.ts')).RedisRelay({
        url: config.redisUrl,
        nodeId: config.nodeId,
        logger,
        metrics,
        catchUpMs: config.catchUpMs,
      })
    : null;
  const persistence = new StorePersistence(store, {
    compactEvery: config.compactEvery,
    nodeId: config.nodeId,
    metrics,
    ...(relay ? { onStored: relay.published.bind(relay) } : {}),
  });

  const audit = new AuditLog(sql);
  const held = new HeldUpdates(sql);
  const app = express();
  const server = http.createServer(app);
  const access = new AccessService(accounts, authenticator);
  const summary: SummaryService = new SummaryService({
    hub: (): YjsHub => hub,
    workspaces: async () => (await accounts.workspaces()).map((w) => w.id),
    // Called only once the server runs, after `io` exists.
    watchers: summaryWatchers(() => io),
    logger,
    keepLoaded: relay !== null,
  });
  const rosterAlarms: RosterAlarms = new RosterAlarms(
    (): YjsHub => hub,
    // Called only once the server runs, after `io` exists.
    () => io,
    () => accounts.workspaces(),
    logger,
    config.rosterCheckMs,
  );
  const hub: YjsHub = new YjsHub({
    extensions: [
      ...(relay ? [relay] : []),
      new AccountAuth(authenticator, access),
      persistence,
      new AuditTrail(audit),
      new UpdateGuard(held, logger, (workspaceId, grid, userId) =>
        access.assignable(workspaceId, grid, userId),
      ),
      new TaskNotifications((userId, notification) => notifyUser(io, userId, notification)),
      rosterAlarms,
      summary,
    ],
    maxMessageBytes: config.maxMessageBytes,
    maxDocumentBytes: config.maxDocumentBytes,
    unloadGraceMs: config.unloadGraceMs,
    logger,
  });
  const io = createSocketIo(server, authenticator);
  attachSummaryFeed(io, summary);
  access.attach(hub, io);
  metrics.attach(hub);
  let adapterClients: RedisClient[] = [];
  if (relay) {
    await relay.start(persistence);
    // socket.io events (alarms, notifications) reach a person on whichever node they are.
    const adapterPub = relay.pub.duplicate({ disableOfflineQueue: false });
    const adapterSub = adapterPub.duplicate();
    adapterClients = [adapterPub, adapterSub];
    for (const client of adapterClients) client.on('error', () => undefined);
    await Promise.all(adapterClients.map((client) => client.connect()));
    const { createAdapter } = await import('@socket.io/redis-adapter');
    io.adapter(createAdapter(adapterPub, adapterSub));
    access.onLocalChange = (event) => relay.announce(event);
    relay.onAccountEvent = (event) => {
      const applied =
        event.kind === 'revoke'
          ? access.revokeInvalid(event.reason, false)
          : accounts.user(event.userId).then((user) => user && access.applyUserChange(user, false));
      applied.catch((error: unknown) =>
        logger.warn('applying an account change from another node failed', {
          error: String(error),
        }),
      );
    };
  }
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
    const [storeUp, redisUp] = await Promise.all([
      withTimeout(store.ping(), READY_TIMEOUT_MS),
      relay ? withTimeout(relay.ping(), READY_TIMEOUT_MS) : Promise.resolve(null),
    ]);
    const ok = storeUp && redisUp !== false;
    res.status(ok ? 200 : 503).json({
      ok,
      store: storeUp ? 'up' : 'down',
      ...(relay ? { redis: redisUp ? 'up' : 'down', node: config.nodeId } : {}),
    });
  });
  app.get('/metrics', async (req, res) => {
    const allowed = config.metricsToken
      ? req.headers.authorization === `Bearer ${config.metricsToken}`
      : // Behind a proxy on this machine (the balancer) `req.ip` is the real client's address.
        isLoopback(req.ip);
    if (!allowed) {
      res.status(403).type('text/plain').send('metrics: forbidden\n');
      return;
    }
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });
  // Public, without signing in: the duty table behind a notice board's QR code.
  app.use('/api/public/duty', createDutyRouter({ hub, accounts }));
  app.use(
    '/api',
    createApiRouter({ config, accounts, authenticator, hub, access, audit, held, logger, summary }),
  );
  app.use(await webHandler(config.webBuildDir, logger));

  const yjs = attachYjsEndpoint(server, hub, { maxMessageBytes: config.maxMessageBytes, logger });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  rosterAlarms.start();
  // Reads every board once in the background; watchers and reports wait for it.
  void summary.start();
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? 'localhost' : config.host;
  const sessionPurge = setInterval(
    () =>
      accounts.purgeExpiredSessions().catch((error: unknown) => {
        logger.warn('purging sessions failed', { error: String(error) });
      }),
    3600_000,
  );
  sessionPurge.unref();
  // Changes made elsewhere (the admin CLI, an expired session) reach open sockets and the
  // workspace directory here: revoked credentials, new accounts, changed roles and grids.
  let sweeping = false;
  const credentialSweep = setInterval(() => {
    if (sweeping) return;
    sweeping = true;
    access
      .revokeInvalid('session ended', false)
      .then(() => access.syncAccounts())
      .catch((error: unknown) => logger.warn('account sweep failed', { error: String(error) }))
      .finally(() => (sweeping = false));
  }, config.accountSweepMs);
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
        await rosterAlarms.stop();
        summary.stop();
        server.close();
        await hub.close();
        yjs.terminateAll();
        await new Promise<void>((resolve) => io.close(() => resolve()));
        server.closeAllConnections();
        await relay?.close();
        await Promise.all(adapterClients.map((client) => client.quit().catch(() => undefined)));
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
