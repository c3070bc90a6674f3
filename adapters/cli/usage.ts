/** The `gptme --help` text (kept free of imports: it is printed before anything is loaded). */

export const usage = `Usage: gptme [OPTIONS] [PROMPTS]...

  gptme is a chat-CLI for LLMs, empowering them with tools to run shell
  commands, edit files, and more.

  The chat offers some commands that can be used to interact with the
  system: type /help in the chat to list them.

  Several prompts can be chained with a lone '-' between them:
    gptme 'write a hello world in hello.py' - 'run it'

Options:
  --name TEXT                     Name (id) of the conversation; resumed if it
                                  exists. Default: a generated name.
  -m, --model TEXT                Model to use: provider/model, or a provider
                                  name for its recommended model.
  -w, --workspace PATH            Workspace directory (default: the current
                                  directory); '@log' for the conversation's own.
  -r, --resume                    Resume the most recent conversation.
  -y, --no-confirm                Skip all confirmation prompts.
  -n, --non-interactive           Run the prompts, then exit; implies
                                  --no-confirm.
  -t, --tools TEXT                Tools to allow, comma-separated or repeated;
                                  '+tool' adds, '-tool' removes, 'none'.
  --tool-format [markdown|xml|tool]
                                  How the model calls tools.
  --system TEXT                   System prompt: 'full' (default), 'short', or
                                  your own text.
  --sandbox [none|bwrap]          Run tools in a sandbox (default: none, as
                                  gptme; or GPTME_SANDBOX). bwrap: only the
                                  workspace, a private /tmp and HOME.
  --stream / --no-stream          Stream the reply (default: stream).
  --show-hidden                   Show hidden system messages.
  -v, --verbose                   Show more, including stack traces of errors.
  --version                       Show the version and exit.
  -h, --help                      Show this message and exit.

Environment:
  OPENAI_API_KEY, ANTHROPIC_API_KEY, OPENROUTER_API_KEY, GEMINI_API_KEY,
  GROQ_API_KEY, XAI_API_KEY, DEEPSEEK_API_KEY   provider keys
  OPENAI_BASE_URL                 an OpenAI-compatible server (--model local/<m>)
  MODEL                           the default model
  GPTME_DB                        the SQLite database (shared with gptme-server)
  XDG_DATA_HOME, XDG_CONFIG_HOME  where data and config.toml live
  NO_COLOR                        plain output
`;
