/** Reading a password for the CLI: hidden from a terminal, or the first line of stdin. */
import { CliError } from './cli-error';

/** First line of stdin (without the line ending); for `--password-stdin`. */
export async function readFirstLineOfStdin(): Promise<string> {
  if (process.stdin.isTTY) {
    process.stderr.write('Password (end with Enter): ');
  }
  return new Promise((resolve, reject) => {
    let buffer = '';
    const finish = () => {
      process.stdin.off('data', onData);
      process.stdin.off('end', finish);
      process.stdin.pause();
      resolve(buffer.split(/\r?\n/)[0] ?? '');
    };
    const onData = (chunk: Buffer) => {
      buffer += chunk.toString('utf8');
      if (buffer.includes('\n')) finish();
    };
    process.stdin.on('data', onData);
    process.stdin.on('end', finish);
    process.stdin.on('error', reject);
    process.stdin.resume();
  });
}

/** Prompts on the terminal without echoing what is typed. */
export function promptHidden(prompt: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) {
    throw new CliError('no terminal to prompt for the password; pipe it in with --password-stdin');
  }
  return new Promise((resolve, reject) => {
    let value = '';
    // Raw mode (no echo) before the prompt appears, so that early typing is not shown either.
    stdin.setRawMode(true);
    process.stderr.write(prompt);
    stdin.resume();
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') {
          done();
          return;
        }
        if (char === '\u0003') {
          done(new CliError('cancelled', 130));
          return;
        } // Ctrl-C (raw mode: no SIGINT)
        if (char === '\u0004') {
          done();
          return;
        } // Ctrl-D
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else if (char >= ' ') value += char;
      }
    };
    stdin.on('data', onData);
  });
}
