/**
 * The `shardline` command. Today: `shardline serve [options]` (see `shardline serve --help`).
 */
import { runKeys, runServe, serveOptionsHelp } from '@shardline/server';
import { runStatus } from './status.js';

function topLevelHelp(): string {
  return [
    'Usage: shardline <command> [options]',
    '',
    'Shardline: a self-hosted data streaming server that speaks the Amazon Kinesis Data Streams API.',
    '',
    'Commands:',
    '  serve     Run the server (HTTP/1.1 and HTTP/2 on one port; AWS JSON 1.1 and CBOR)',
    '  status    Show streams, shards, throughput and consumer lag of a running server',
    '  keys      Manage the encryption keys of a data directory (see shardline keys --help)',
    '  help      Show this help',
    '',
    'Options of "serve" (each also settable with the environment variable shown; a flag wins):',
    serveOptionsHelp(),
    '',
    'Examples:',
    '  shardline serve --in-memory',
    '  shardline serve --data-dir ./data --port 4567',
    '  aws --endpoint-url http://127.0.0.1:4567 kinesis list-streams',
    '',
  ].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    process.stdout.write(topLevelHelp());
    return command === undefined ? 1 : 0;
  }
  if (command === 'serve') return runServe(rest, process.env);
  if (command === 'keys') return runKeys(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  if (command === 'status') return runStatus(rest, { stdout: process.stdout, stderr: process.stderr, env: process.env });
  process.stderr.write(`shardline: unknown command ${JSON.stringify(command)} (see shardline --help)\n`);
  return 2;
}

process.exitCode = await main(process.argv.slice(2));
