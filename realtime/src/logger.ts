import type { Config } from './config.ts';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const ORDER = { debug: 10, info: 20, warn: 30, error: 40, silent: 100 } as const;

/**
 * One JSON line per event on stderr (stdout stays for the human start-up banner). `base`
 * fields go on every line (in cluster mode: which node wrote it).
 */
export function createLogger(
  level: Config['logLevel'],
  base: Record<string, unknown> = {},
): Logger {
  const emit = (lvl: keyof typeof ORDER, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    process.stderr.write(
      JSON.stringify({
        t: new Date().toISOString(),
        level: lvl,
        msg: message,
        ...base,
        ...fields,
      }) + '\n',
    );
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
  };
}
