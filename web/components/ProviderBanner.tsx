export function ProviderBanner() {
  return (
    <div class="banner banner-warning" role="status">
      <strong>No model provider is configured on this server.</strong> Replies will fail until the server has an API
      key: set <code>OPENAI_API_KEY</code> or <code>ANTHROPIC_API_KEY</code> (or a local model) for the server and restart
      it.
    </div>
  );
}
