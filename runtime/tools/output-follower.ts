/** A command's output file, read as it grows (for streaming) and whole once the command is done. */
import { open, unlink } from "node:fs/promises";
import { StringDecoder } from "node:string_decoder";

export type OutputListener = (chunk: string, stream: "stdout" | "stderr") => void;

export class OutputFollower {
  private offset = 0;
  private readonly decoder = new StringDecoder("utf8");
  private size = 0;

  constructor(
    readonly file: string,
    private readonly stream: "stdout" | "stderr",
    private readonly onOutput: OutputListener | undefined,
  ) {}

  /** Streams new bytes (up to `maxBytes` in all) to `onOutput`, if any; returns the file's size so far. */
  async follow(maxBytes: number): Promise<number> {
    const handle = await open(this.file, "r").catch(() => undefined);
    if (!handle) return this.size;
    try {
      this.size = (await handle.stat()).size;
      const end = Math.min(this.size, maxBytes);
      while (this.onOutput && end > this.offset) {
        const buffer = Buffer.alloc(Math.min(end - this.offset, 1024 * 1024));
        const { bytesRead } = await handle.read(buffer, 0, buffer.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const text = this.decoder.write(buffer.subarray(0, bytesRead));
        if (text) this.onOutput(text, this.stream);
      }
    } finally {
      await handle.close();
    }
    return this.size;
  }

  /** The output (at most `maxBytes` of it); the file is removed afterwards. */
  async finish(maxBytes: number): Promise<string> {
    if (this.onOutput) await this.follow(maxBytes);
    const handle = await open(this.file, "r").catch(() => undefined);
    if (!handle) return "";
    try {
      const size = Math.min((await handle.stat()).size, maxBytes);
      const buffer = Buffer.alloc(size);
      const { bytesRead } = await handle.read(buffer, 0, size, 0);
      return buffer.subarray(0, bytesRead).toString("utf8");
    } finally {
      await handle.close();
      await unlink(this.file).catch(() => {});
    }
  }
}
