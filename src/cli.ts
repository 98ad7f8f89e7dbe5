import { parseArgs } from 'node:util';
import { loadConfig, SETTINGS } from './config.js';
import { EXIT, EXIT_CODES_HELP } from './cli/exit-codes.js';
import { describeFailure } from './cli/failure.js';
import { HELP_OPTION, optionsHelp, parseArgsOptions, type Values } from './cli/options.js';
import { packageVersion } from './cli/version.js';
import { out, type Command } from './cli/command.js';
import { SERVICE_COMMANDS } from './cli/commands/service.js';
import { ACCOUNTS_COMMANDS } from './cli/commands/accounts.js';
import { WEBHOOKS_COMMANDS } from './cli/commands/webhooks.js';
import { SECRETS_COMMANDS } from './cli/commands/secrets.js';

/**
 * `voucherd` — every command has --help; --json prints exactly one JSON object on stdout. Each
 * command checks its options before it opens the database, so a bad invocation changes nothing.
 */

const COMMANDS: Record<string, Command> = { ...SERVICE_COMMANDS, ...ACCOUNTS_COMMANDS, ...WEBHOOKS_COMMANDS, ...SECRETS_COMMANDS };

const SETTINGS_NOTE = 'Settings come from environment variables (README, Configuration): DATABASE_URL, PORT, HOST, …';

function commandHelp(name: string, command: Command): string {
  return `voucherd ${name} — ${command.summary}

Usage: ${command.usage}

Options:
${optionsHelp({ ...command.options, ...HELP_OPTION })}

${SETTINGS_NOTE}

${EXIT_CODES_HELP}
`;
}

function generalHelp(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length)) + 2;
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}${c.summary}`);
  return `voucherd ${packageVersion()} — self-hostable voucher programs, wire-compatible with the Uber for Business Vouchers API

Usage: voucherd <command> [options]
       voucherd --help | --version

Commands:
${rows.join('\n')}

Options:
  -h, --help     Show this help (or a command's: voucherd <command> --help)
  -V, --version  Print the version and exit

"voucherd help settings" lists every setting with its default.

${SETTINGS_NOTE}

${EXIT_CODES_HELP}
`;
}

/** `voucherd help settings`: every environment variable, its default and what it does (from SETTINGS). */
function settingsHelp(): string {
  const width = Math.max(...Object.keys(SETTINGS).map((n) => n.length)) + 2;
  const rows = Object.entries(SETTINGS).map(([name, s]) => `  ${name.padEnd(width)}${s.description} (default: ${s.default})`);
  return `Settings (environment variables; README, Configuration):\n${rows.join('\n')}\n`;
}

function fail(line: string, code: number, usage?: string): void {
  process.stderr.write(`voucherd: ${line}\n${usage ? `Usage: ${usage}\nRun "voucherd --help" for the commands and their options.\n` : ''}`);
  process.exitCode = code;
}

/** Which command argv names: two words ("org create") before one. */
function findCommand(argv: string[]): { name: string; command: Command } | undefined {
  const [first, second] = argv;
  const twoWord = `${first} ${second}`;
  if (COMMANDS[twoWord]) return { name: twoWord, command: COMMANDS[twoWord] };
  if (first !== undefined && COMMANDS[first]) return { name: first, command: COMMANDS[first] };
  return undefined;
}

export async function main(argv: string[]): Promise<void> {
  const [first] = argv;
  if (first === '--version' || first === '-V' || first === 'version') {
    out(packageVersion());
    return;
  }
  if (first === '--help' || first === '-h' || (first === 'help' && argv.length === 1)) {
    out(generalHelp());
    return;
  }
  if (first === undefined) {
    process.stderr.write(generalHelp());
    process.exitCode = EXIT.usage;
    return;
  }
  if (first === 'help' && argv[1] === 'settings' && argv.length === 2) {
    out(settingsHelp());
    return;
  }
  if (first === 'help') {
    const found = findCommand(argv.slice(1));
    if (found) out(commandHelp(found.name, found.command));
    else fail(`unknown command: ${argv.slice(1).join(' ')}`, EXIT.usage, 'voucherd <command> [options]');
    return;
  }
  const found = findCommand(argv);
  if (!found) {
    const group = Object.keys(COMMANDS).filter((n) => n.startsWith(`${first} `));
    const unknown = group.length && argv[1] !== undefined && !argv[1].startsWith('-') ? `${first} ${argv[1]}` : first;
    fail(group.length ? `${unknown === first ? 'missing' : 'unknown'} subcommand: ${unknown}` : `unknown command: ${first}`, EXIT.usage, group.length ? group.map((g) => COMMANDS[g]!.usage).join('\n       ') : 'voucherd <command> [options]');
    return;
  }
  const { name, command } = found;
  try {
    const { values } = parseArgs({ args: argv.slice(name.split(' ').length), options: parseArgsOptions({ ...command.options, ...HELP_OPTION }), strict: true });
    if (values.help) {
      out(commandHelp(name, command));
      return;
    }
    // Settings, then options, then the database: a bad invocation opens nothing.
    const config = loadConfig();
    await command.run(values as Values, config);
  } catch (err) {
    const failure = describeFailure(err);
    fail(failure.line, failure.code, failure.usage ? command.usage : undefined);
    if (failure.detail) process.stderr.write(`${failure.detail}\n`);
  }
}

// Run when executed directly (node dist/cli.js …, tsx src/cli.ts …), not when imported.
const invoked = process.argv[1] ?? '';
if (/[\\/]cli\.(js|ts)$/.test(invoked)) {
  main(process.argv.slice(2)).catch((err: unknown) => {
    process.stderr.write(`voucherd: ${describeFailure(err).line}\n`);
    process.exit(EXIT.failure);
  });
}
