/** What the log redactor treats as secret: credential variables, and passwords inside database and NATS URLs. */
import { describe, expect, it } from "vitest";
import { redactor, secretsOf } from "../../runtime/logging/server-log.js";

describe("log redaction", () => {
  it("redacts the password of GPTME_DATABASE_URL and GPTME_NATS_URL, raw and percent-encoded", () => {
    const env = {
      GPTME_DATABASE_URL: "postgres://gptme:s3cret%2Fpass@db:5432/gptme",
      GPTME_NATS_URL: "nats://app:natspassword@nats:4222",
      HOME: "/home/someone",
    };
    const redact = redactor(secretsOf(env));
    const line = redact("connect postgres://gptme:s3cret%2Fpass@db:5432/gptme as s3cret/pass; nats natspassword");
    expect(line).not.toContain("s3cret");
    expect(line).not.toContain("natspassword");
    expect(redact("/home/someone")).toBe("/home/someone");
  });

  it("leaves URLs without a password and unparsable values alone", () => {
    expect(secretsOf({ GPTME_DATABASE_URL: "postgres://db/gptme", OTHER_URL: "not a url" })).toEqual([]);
  });
});
