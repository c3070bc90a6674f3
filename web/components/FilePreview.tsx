import { useEffect, useState } from "preact/hooks";
import type { FilePreviewResult, WorkspaceEntry } from "../api/types.js";
import { previewFile } from "../api/workspace.js";
import { formatBytes } from "../format.js";
import { CodeBlock } from "./CodeBlock.js";

export function FilePreview({ conversationId, entry }: { conversationId: string; entry: WorkspaceEntry }) {
  const [preview, setPreview] = useState<FilePreviewResult | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const controller = new AbortController();
    let imageUrl: string | null = null;
    previewFile(conversationId, entry.path, controller.signal).then(
      (result) => {
        if (result.type === "image") imageUrl = result.url;
        if (controller.signal.aborted) return;
        setPreview(result);
      },
      (cause) => {
        if (!controller.signal.aborted) setError(cause instanceof Error ? cause.message : String(cause));
      },
    );
    return () => {
      controller.abort();
      if (imageUrl) URL.revokeObjectURL(imageUrl);
    };
  }, [conversationId, entry.path]);

  return (
    <section class="file-preview" aria-label={`Preview of ${entry.name}`} aria-busy={!preview && !error ? "true" : "false"}>
      {error && (
        <p class="form-error" role="alert">
          {error}
        </p>
      )}
      {!preview && !error && <p class="muted panel-note">Loading preview…</p>}
      {preview?.type === "text" && (
        <>
          <CodeBlock code={preview.content} info={entry.path} />
          {preview.truncated && <p class="muted panel-note">Preview truncated.</p>}
        </>
      )}
      {preview?.type === "image" && <img class="image-preview" src={preview.url} alt={entry.name} />}
      {preview?.type === "binary" && (
        <p class="panel-note">
          {entry.name} is a binary file ({formatBytes(preview.metadata?.size ?? entry.size)}
          {preview.metadata?.mime_type ? `, ${preview.metadata.mime_type}` : ""}) and cannot be previewed.
        </p>
      )}
    </section>
  );
}
