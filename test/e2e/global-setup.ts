import { startServer } from './server.ts';

/**
 * Starts one server for the whole run. Its address and the demo password reach the test
 * workers through the environment (workers are started after this and inherit it).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const server = await startServer();
  process.env.OUTPOST_E2E_URL = server.url;
  process.env.OUTPOST_E2E_PASSWORD = server.password;
  return () => server.stop();
}
