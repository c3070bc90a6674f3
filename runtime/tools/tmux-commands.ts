/** Parsing of the tmux tool's little command language (gptme's `execute_tmux`). */

/** Splits a block into commands at newlines and `;`, except inside quotes. */
export function splitTmuxCommands(block: string): string[] {
  const commands: string[] = [];
  let current = "";
  let quote: string | undefined;
  const push = () => {
    if (current.trim() !== "") commands.push(current.trim());
    current = "";
  };
  for (const character of block) {
    if (character === "'" || character === '"') {
      if (quote === undefined) quote = character;
      else if (quote === character) quote = undefined;
      current += character;
    } else if ((character === "\n" || character === ";") && quote === undefined) {
      push();
    } else {
      current += character;
    }
  }
  push();
  return commands;
}

/** Python's `shlex.split` (POSIX mode): words, quotes and backslash escapes. Throws on an open quote. */
export function shellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let index = 0;
  while (index < text.length) {
    const character = text[index];
    if (/\s/.test(character)) {
      if (word !== undefined) words.push(word);
      word = undefined;
      index++;
    } else if (character === "'") {
      const end = text.indexOf("'", index + 1);
      if (end < 0) throw new Error("No closing quotation");
      word = (word ?? "") + text.slice(index + 1, end);
      index = end + 1;
    } else if (character === '"') {
      let value = "";
      index++;
      while (index < text.length && text[index] !== '"') {
        if (text[index] === "\\" && index + 1 < text.length && '"\\$`\n'.includes(text[index + 1])) index++;
        value += text[index++];
      }
      if (index >= text.length) throw new Error("No closing quotation");
      word = (word ?? "") + value;
      index++;
    } else if (character === "\\") {
      if (index + 1 >= text.length) throw new Error("No escaped character");
      word = (word ?? "") + text[index + 1];
      index += 2;
    } else {
      word = (word ?? "") + character;
      index++;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/** gptme prefixes bare ids (`send-keys 1 C-c`) with `gptme_`. */
export function sessionName(id: string): string {
  return id.startsWith("gptme_") ? id : `gptme_${id}`;
}
