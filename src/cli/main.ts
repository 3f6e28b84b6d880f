#!/usr/bin/env node
// ipsecgw: the command line. Each command lives in its own file and is registered here.
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { benchCommand } from './bench.js';
import { checkCommand } from './check.js';
import { reloadCommand } from './reload.js';
import { runCommand } from './run.js';
import { statusCommand } from './status.js';
import { downCommand, upCommand } from './updown.js';

await yargs(hideBin(process.argv))
  .scriptName('ipsecgw')
  .usage('$0 <command> [options]')
  .command(runCommand)
  .command(checkCommand)
  .command(statusCommand)
  .command(reloadCommand)
  .command(benchCommand)
  .demandCommand(1, 'name a command (see --help)')
  .strict()
  .help()
  .alias('h', 'help')
  .version()
  .parseAsync();
