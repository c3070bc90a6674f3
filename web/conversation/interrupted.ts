/** gptme appends this to a reply the user stopped; the UI shows it as a marker, not as text. */
const interruptedMark = /\s*\[INTERRUPTED\]\s*$/;

export function splitInterrupted(content: string): { text: string; interrupted: boolean } {
  return interruptedMark.test(content) ? { text: content.replace(interruptedMark, ""), interrupted: true } : { text: content, interrupted: false };
}
