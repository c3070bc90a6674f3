/**
 * A running command's output file in the sandbox's output area, streamed to the client as it
 * grows. Streaming stops after `streamLimitBytes` (with a note): a command printing a gigabyte must
 * not turn into a gigabyte of events. The model's view comes from the file afterwards.
 */
import { StringDecoder } from "node:string_decoder";
import type { OutputArea } from "../sandbox/types.js";

export type OutputListener = (chunk: string, stream: "stdout" | "stderr") => void;

/** Partial output events stop after this much per stream. */
export const DEFAULT_STREAM_LIMIT_BYTES = 1024 * 1024;

const READ_CHUNK_BYTES = 256 * 1024;

export function streamLimitNote(limitBytes: number): string {
  return `\n[... live output stopped after ${Math.round(limitBytes / 1024)} KB; the command is still running and its result will show the head and tail of all of it ...]\n`;
}

export class OutputFollower {
  private offset = 0;
  private readonly decoder = new StringDecoder("utf8");
  private size = 0;
  private noted = false;

  constructor(
    private readonly area: OutputArea,
    readonly name: string,
    private readonly stream: "stdout" | "stderr",
    private readonly onOutput: OutputListener | undefined,
    private readonly streamLimitBytes = DEFAULT_STREAM_LIMIT_BYTES,
  ) {}

  /** Streams new bytes to `onOutput` (up to the stream limit); returns the file's size so far. */
  async follow(): Promise<number> {
    this.size = Math.max(this.size, await this.area.size(this.name));
    if (!this.onOutput) return this.size;
    const end = Math.min(this.size, this.streamLimitBytes);
    while (end > this.offset) {
      const bytes = await this.area.read(this.name, this.offset, Math.min(end - this.offset, READ_CHUNK_BYTES));
      if (bytes.length === 0) break;
      this.offset += bytes.length;
      const text = this.decoder.write(bytes);
      if (text) this.onOutput(text, this.stream);
    }
    if (this.size > this.streamLimitBytes && !this.noted) {
      this.noted = true;
      this.onOutput(streamLimitNote(this.streamLimitBytes), this.stream);
    }
    return this.size;
  }
}
