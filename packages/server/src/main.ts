/**
 * Process entry for `shardline serve`: read the configuration, build the app, listen, print the
 * endpoint, and stop gracefully on SIGINT/SIGTERM (exit 0). A second signal exits at once (1).
 */
import { pathToFileURL } from 'node:url';
import { createApp } from './app.js';
import { ConfigError } from './config/server-config.js';
import { parseServeCommand } from './config/serve-options.js';

export interface ServeIo {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}

/** Exit codes: 0 stopped cleanly or help shown, 1 failed at run time, 2 bad configuration. */
export async function runServe(
  args: readonly string[],
  env: Readonly<Record<string, string | undefined>>,
  io: ServeIo = process,
): Promise<number> {
  let command;
  try {
    command = parseServeCommand(args, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      io.stderr.write(`shardline serve: ${error.message}\n`);
      return 2;
    }
    throw error;
  }
  if (command.kind === 'help') {
    io.stdout.write(command.text);
    return 0;
  }
  const config = command.config;
  let app;
  try {
    app = await createApp(config);
  } catch (error) {
    io.stderr.write(`shardline serve: could not start: ${describe(error)}\n`);
    return 1;
  }
  let address;
  try {
    address = await app.listen();
  } catch (error) {
    io.stderr.write(`shardline serve: could not listen on ${config.host}:${config.port}: ${describe(error)}\n`);
    await app.close();
    return 1;
  }
  io.stdout.write(`Shardline listening on ${address.url}\n`);

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const onSignal = (name: NodeJS.Signals): void => {
      process.removeListener('SIGINT', onSignal);
      process.removeListener('SIGTERM', onSignal);
      process.once('SIGINT', () => process.exit(1));
      process.once('SIGTERM', () => process.exit(1));
      resolve(name);
    };
    process.on('SIGINT', onSignal);
    process.on('SIGTERM', onSignal);
  });
  app.logger.info('signal received, stopping', { signal });
  try {
    await app.close();
    return 0;
  } catch (error) {
    io.stderr.write(`shardline serve: error while stopping: ${describe(error)}\n`);
    return 1;
  }
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  let text = error.message;
  let cause: unknown = error.cause;
  while (cause instanceof Error) {
    text += `: ${cause.message}`;
    cause = cause.cause;
  }
  return text;
}

// Run directly: `node --import tsx packages/server/src/main.ts [serve options]`.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runServe(process.argv.slice(2), process.env);
}
