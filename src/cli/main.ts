#!/usr/bin/env node
// ipsecgw: the command line. Each command lives in its own file and is registered here. Only the
// command named on the line is loaded: `ipsecgw status` need not load the gateway, the native
// module and the benchmarks first (half a second of a CLI call); --help and mistakes load them all.
import yargs, { type CommandModule } from 'yargs';
import { hideBin } from 'yargs/helpers';
import { EXIT } from './exit-codes.js';

type Loader = () => Promise<CommandModule<object, never>>;
const COMMANDS: Record<string, Loader> = {
  run: async () => (await import('./run.js')).runCommand as never,
  check: async () => (await import('./check.js')).checkCommand as never,
  status: async () => (await import('./status.js')).statusCommand as never,
  up: async () => (await import('./updown.js')).upCommand as never,
  down: async () => (await import('./updown.js')).downCommand as never,
  reload: async () => (await import('./reload.js')).reloadCommand as never,
  demo: async () => (await import('./demo.js')).demoCommand as never,
  bench: async () => (await import('./bench.js')).benchCommand as never,
};

const args = hideBin(process.argv);
const named = Object.hasOwn(COMMANDS, args[0] ?? '') ? [COMMANDS[args[0]]] : Object.values(COMMANDS);
const commands = await Promise.all(named.map((load) => load()));

await commands.reduce((y, c) => y.command(c), yargs(args).scriptName('ipsecgw').usage('$0 <command> [options]'))
  .demandCommand(1, 'name a command')
  .recommendCommands()
  .strict()
  // A wrong command line exits 64 (EX_USAGE), an error thrown by a command 1 (exit-codes.ts).
  // yargs' own errors (YError: an option's coerce refused its value) are wrong command lines too.
  .fail((msg, err) => {
    const usage = !err || err.name === 'YError';
    process.stderr.write(usage ? `ipsecgw: ${msg ?? err.message} (see ipsecgw --help)\n` : `ipsecgw: ${err.stack ?? err.message}\n`);
    process.exit(usage ? EXIT.USAGE : EXIT.FAILURE);
  })
  .help()
  .alias('h', 'help')
  .version()
  .parseAsync();
