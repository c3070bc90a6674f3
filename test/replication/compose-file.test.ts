/**
 * docker-compose.replicas.yml, checked statically (no container engine or image registry here):
 * two replicas on the same PostgreSQL, NATS with JetStream and data volume, distinct replica ids,
 * the same token, and a load balancer on loopback in front of both.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { YAML } from "zx";

type Service = { image?: string; command?: string[]; environment?: Record<string, string>; volumes?: string[]; ports?: string[]; depends_on?: unknown };

// zx's YAML is the `yaml` package, whose parse takes options (merge keys: `<<: *replica`); its type omits them.
const parse = YAML.parse as (text: string, options: { merge: boolean }) => unknown;
const compose = parse(readFileSync(new URL("../../docker-compose.replicas.yml", import.meta.url), "utf8"), { merge: true }) as { services: Record<string, Service> };

describe("docker-compose.replicas.yml", () => {
  const { services } = compose;
  const replicas = Object.entries(services).filter(([, service]) => service.environment?.GPTME_NATS_URL);

  it("runs two replicas on one PostgreSQL and one NATS with JetStream", () => {
    expect(services.postgres?.image).toMatch(/^postgres:1[3-9]/);
    expect(services.nats?.command).toContain("-js");
    expect(replicas.map(([name]) => name)).toEqual(["gptme-a", "gptme-b"]);
    for (const [, replica] of replicas) {
      expect(replica.image).toBe("gptme-server");
      expect(replica.environment!.GPTME_DATABASE_URL).toMatch(/^postgres:\/\/gptme:\$\{POSTGRES_PASSWORD\}@postgres:5432\/gptme$/);
      expect(replica.environment!.GPTME_NATS_URL).toBe("nats://nats:4222");
      expect(replica.environment!.GPTME_SERVER_TOKEN).toMatch(/^\$\{GPTME_SERVER_TOKEN:\?/);
      expect(replica.volumes).toContain("gptme-data:/home/appuser/.local/share/gptme");
      expect(replica.depends_on).toMatchObject({ postgres: { condition: "service_healthy" } });
    }
    expect(new Set(replicas.map(([, replica]) => replica.environment!.GPTME_REPLICA_ID)).size).toBe(2);
  });

  it("puts a load balancer on loopback in front of both replicas", () => {
    const balancer = services["load-balancer"]!;
    expect(balancer.ports).toEqual(["127.0.0.1:${GPTME_SERVER_PORT:-5700}:5700"]);
    const targets = balancer.command!.flatMap((word, index, words) => (words[index - 1] === "--to" ? [word] : []));
    expect(targets).toEqual(["gptme-a:5700", "gptme-b:5700"]);
    for (const [name, service] of Object.entries(services)) if (name !== "load-balancer") expect(service.ports).toBeUndefined();
  });
});
