/**
 * An expected failure of a CLI command: its message is the one line printed on stderr (no stack
 * trace unless CHARTER_DEBUG=1), and the process exits with `exitCode`.
 */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** One line: the first line of the message, for errors thrown by code we do not control. */
export function oneLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const first = message.split('\n').find((line) => line.trim() !== '') ?? 'unknown error';
  return first.trim();
}
