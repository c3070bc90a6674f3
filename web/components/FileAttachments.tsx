import { Icon } from "./Icon.js";

const imageExtension = /\.(png|jpe?g|gif|webp|svg|avif|bmp)$/i;

export function FileAttachments({ files, fileUrl }: { files: string[]; fileUrl(path: string): string }) {
  return (
    <ul class="attachments" aria-label="Attached files">
      {files.map((path) => (
        <li key={path}>
          <a href={fileUrl(path)} target="_blank" rel="noopener">
            {imageExtension.test(path) ? <img src={fileUrl(path)} alt={path} loading="lazy" /> : <Icon name="file" size={16} />}
            <span>{path}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
