/** Readable random names: conversation ids like gptme's `YYYY-MM-DD-<verb>-<adjective>-<noun>`. */
import { randomInt } from "node:crypto";

const verbs = [
  "running", "jumping", "dancing", "flying", "swimming", "singing", "reading", "writing", "coding",
  "thinking", "dreaming", "building", "exploring", "painting", "sailing", "climbing", "wandering",
  "drifting", "glowing", "humming", "sprinting", "gliding", "juggling", "whistling",
];
const adjectives = [
  "happy", "sleepy", "brave", "clever", "gentle", "quiet", "bright", "swift", "calm", "eager",
  "fuzzy", "lucky", "mighty", "nimble", "proud", "silly", "witty", "bold", "curious", "jolly",
  "patient", "sunny", "tidy", "zesty",
];
const nouns = [
  "walrus", "otter", "falcon", "badger", "panda", "koala", "heron", "lynx", "beaver", "dolphin",
  "fox", "owl", "penguin", "tiger", "whale", "zebra", "gecko", "moose", "raven", "salmon",
  "turtle", "yak", "bison", "lemur",
];

const pick = (words: string[]) => words[randomInt(words.length)]!;

export function randomName(): string {
  return `${pick(verbs)}-${pick(adjectives)}-${pick(nouns)}`;
}

/** A readable display name, e.g. "Clever otter". */
export function randomDisplayName(): string {
  const adjective = pick(adjectives);
  return `${adjective[0]!.toUpperCase()}${adjective.slice(1)} ${pick(nouns)}`;
}

export function conversationIdFor(date = new Date()): string {
  const day = date.toISOString().slice(0, 10);
  return `${day}-${randomName()}`;
}
