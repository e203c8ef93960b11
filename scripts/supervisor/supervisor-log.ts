export type Level = 'info' | 'warn' | 'error';
export type SupervisorLog = (level: Level, message: string, fields?: Record<string, unknown>) => void;

/** JSON lines in the shape the services log, so one tool reads both; `service` names the supervised service. */
export const jsonLines =
  (write: (line: string) => void = (line) => process.stdout.write(line)): SupervisorLog =>
  (level, message, fields = {}) =>
    write(JSON.stringify({ timestamp: new Date().toISOString(), level, logger: 'supervisor', message, ...fields }) + '\n');
