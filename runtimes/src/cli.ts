// The probe as a program for Node, Deno and Bun: `<runtime> cli.js <mock server URL>` prints
// one JSON report on stdout.
import { runProbe } from './probe.js';

const globals = globalThis as { Deno?: { args: string[] }; process?: { argv: string[] } };
const baseURL = globals.Deno ? globals.Deno.args[0] : globals.process?.argv[2];
if (!baseURL) throw new Error('usage: <runtime> cli.js <mock server URL>');
console.log(JSON.stringify(await runProbe(baseURL)));
