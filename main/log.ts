/**
 * @file A small leveled logger. Services take a `Log` so tests can pass a silent or capturing one.
 * Writes one line per entry to stderr (stdout stays free for CLI output and the host's ready line).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Log {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(scope: string): Log;
}

const order: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** A logger that writes lines at or above `level` (default from SHOEBOX_LOG, else 'info'). */
export function createLog(
  scope = 'shoebox',
  level: LogLevel = (process.env['SHOEBOX_LOG'] as LogLevel) ?? 'info',
  sink: (line: string) => void = (l) => process.stderr.write(l + '\n'),
): Log {
  const min = order[level] ?? order.info;
  const write = (lvl: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (order[lvl] < min) return;
    const extra = fields && Object.keys(fields).length ? ' ' + JSON.stringify(fields, errorReplacer) : '';
    sink(`${new Date().toISOString()} ${lvl.padEnd(5)} [${scope}] ${msg}${extra}`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    child: (s) => createLog(`${scope}:${s}`, level, sink),
  };
}

/** A logger that drops everything (tests). */
export const silentLog: Log = { debug() {}, info() {}, warn() {}, error() {}, child: () => silentLog };

function errorReplacer(_key: string, value: unknown): unknown {
  return value instanceof Error ? { name: value.name, message: value.message } : value;
}
