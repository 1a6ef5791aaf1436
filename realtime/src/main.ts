import { loadConfig } from './config.ts';
import { createLogger } from './logger.ts';
import { DEMO_USERNAMES } from './demo/seed.ts';
import { startServer } from './server.ts';

const config = loadConfig();
const logger = createLogger(config.logLevel, config.databaseUrl ? { node: config.nodeId } : {});
const server = await startServer(config, logger).catch((error: unknown) => {
  logger.error('could not start', {
    error: error instanceof Error ? error.message : String(error),
  });
  process.exit(1);
});

const lines = [
  ``,
  `  Outpost is running at ${server.url}`,
  config.databaseUrl
    ? `  Cluster node ${config.nodeId} (shared store in PostgreSQL, nodes linked through Redis)`
    : `  Data: ${config.dataDir}`,
];
if (server.demoPassword) {
  lines.push(
    `  Demo accounts: ${DEMO_USERNAMES.join(', ')}
  Demo password: ${server.demoPassword}`,
  );
} else if (config.demo) {
  lines.push(
    '  Demo accounts exist; their password was set by OUTPOST_DEMO_PASSWORD on first start.',
  );
}
process.stdout.write(lines.join('\n') + '\n\n');

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info('shutting down', { signal });
    const force = setTimeout(() => process.exit(1), 10_000);
    force.unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  });
}
