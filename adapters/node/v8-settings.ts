/**
 * V8 settings the server sets on itself at start, so every way of starting it (`npm start`,
 * `gptme-server`, the images, `npm run dev`) runs with them; NODE_OPTIONS cannot carry V8 flags.
 */
import { setFlagsFromString } from "node:v8";

/**
 * Allocation-site pretenuring off. V8 tenures the allocation sites whose objects survived young
 * collections, and on a server that keeps tens of MB of long-lived objects, sites that also allocate
 * per streamed token get tenured: scavenges then promote and scan more, and with 200 streams every
 * pause is on every stream's latency. Off, the server's p99 over a bare relay was lower in the SSE
 * bench and the other benches did not change (README, Performance). A pretenuring flag given on
 * node's command line wins, so the two can be measured against each other.
 */
export function applyV8Settings(execArgv: readonly string[] = process.execArgv): void {
  if (execArgv.some((argument) => /^--(no-)?allocation[-_]site[-_]pretenuring$/.test(argument))) return;
  setFlagsFromString("--no-allocation-site-pretenuring");
}
