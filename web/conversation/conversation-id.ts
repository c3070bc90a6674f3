/** gptme webui's client-side id: `chat-` and the ISO time with `:` and `.` replaced by `-`. */
export function newConversationId(now: Date = new Date()): string {
  return `chat-${now.toISOString().replace(/[:.]/g, "-")}`;
}
