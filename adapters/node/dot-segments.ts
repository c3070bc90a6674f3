/**
 * WHATWG URL parsing resolves `.` and `..` segments (`%2e` too) before a request is routed, so
 * `/api/v2/conversations/../events` would reach `/api/v2/events`. gptme answers such a path 400
 * "Invalid conversation_id"; so do we, from the raw request line, before the URL is parsed.
 */
const dotSegment = /^(?:\.|%2e){1,2}$/i;

export function dotSegmentAnswer(rawUrl: string | undefined): Response | null {
  if (!rawUrl) return null;
  const path = rawUrl.split(/[?#]/)[0]!;
  if (!path.startsWith("/api/")) return null;
  const segments = path.split("/");
  const index = segments.findIndex((segment) => dotSegment.test(segment));
  if (index === -1) return null;
  const error = segments[index - 1] === "conversations" ? "Invalid conversation_id" : "Invalid path: '.' and '..' segments are not allowed";
  return Response.json({ error }, { status: 400 });
}
