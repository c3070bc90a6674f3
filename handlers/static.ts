/** The web UI: built assets with cache headers, and the app shell for every other non-API path. */
import type { Context } from "hono";
import type { AppEnvironment } from "./bindings.js";

type AppContext = Context<AppEnvironment>;

const missingBuild = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>gptme</title></head>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 4rem auto; line-height: 1.5">
<h1>gptme server</h1>
<p>The API is running (see <a href="/api/docs/">/api/docs/</a>), but the web UI has not been built.
Run <code>npm run build</code> and restart the server.</p>
</body></html>`;

export async function serveWebUi(c: AppContext): Promise<Response> {
  const path = decodeURIComponent(c.req.path).replace(/^\/+/, "");
  if (path !== "" && !path.split("/").includes("..")) {
    const asset = await c.env.assets.web(path);
    if (asset) {
      return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
        "Content-Type": asset.contentType,
        "Cache-Control": asset.immutable ? "public, max-age=31536000, immutable" : "no-cache",
      });
    }
  }
  const shell = await c.env.assets.web("index.html");
  if (!shell) return c.html(missingBuild);
  return c.body(shell.body as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": "text/html; charset=utf-8",
    "Cache-Control": "no-cache",
  });
}
