/** The Hono environment of the app: the runtime arrives as `c.env`, like a Worker's bindings. */
import type { Runtime } from "../runtime/runtime.js";

export type AppEnvironment = { Bindings: Runtime };
