/** Swagger UI at `/api/docs/`, rendered from local swagger-ui-dist files so it works offline. */
import type { Context } from "hono";
import { NotFoundError } from "../runtime/errors.js";
import type { AppEnvironment } from "./bindings.js";

type AppContext = Context<AppEnvironment>;

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>gptme API</title>
<link rel="stylesheet" href="/api/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/api/docs/assets/swagger-ui-bundle.js"></script>
<script src="/api/docs/assets/docs-init.js"></script>
</body>
</html>`;

const initScript = `window.ui = SwaggerUIBundle({
  url: "/api/docs/openapi.json",
  dom_id: "#swagger-ui",
  deepLinking: true,
  persistAuthorization: true,
});`;

export function docsPage(c: AppContext): Response {
  return c.html(page);
}

export async function docsAsset(c: AppContext): Promise<Response> {
  const name = c.req.param("name") ?? "";
  if (name === "docs-init.js") {
    return c.body(initScript, 200, { "Content-Type": "text/javascript; charset=utf-8", "Cache-Control": "no-cache" });
  }
  const asset = await c.env.assets.docs(name);
  if (!asset) throw new NotFoundError(`Not found: ${c.req.path}`);
  return c.body(asset.body as Uint8Array<ArrayBuffer>, 200, {
    "Content-Type": asset.contentType,
    "Cache-Control": "public, max-age=86400",
  });
}
