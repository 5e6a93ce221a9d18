/**
 * The deployment files are checked here because a wrong key is otherwise
 * found only after a slow failed deploy: app.yaml against App Engine flex's
 * documented keys, service.yaml against Cloud Run's, and both against the
 * routes and port the server really has.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { parseDockerfile, parseEnv } from '../helpers/dockerfile.ts';

const APP_ENGINE_FLEX_TOP_LEVEL_KEYS = new Set([
  'runtime',
  'env',
  'service',
  'runtime_config',
  'entrypoint',
  'inbound_services',
  'service_account',
  'network',
  'liveness_check',
  'readiness_check',
  'health_check',
  'automatic_scaling',
  'manual_scaling',
  'resources',
  'env_variables',
  'beta_settings',
  'handlers',
  'skip_files',
  'build_env_variables',
  'endpoints_api_service',
]);

// biome-ignore lint/suspicious/noExplicitAny: parsed YAML is untyped; the assertions below are its checks
const read = (path: string): Record<string, any> => parse(readFileSync(path, 'utf8')) as Record<string, any>;

describe('app.yaml (App Engine flex)', () => {
  const app = read('app.yaml');

  it('uses only documented top-level keys', () => {
    for (const key of Object.keys(app))
      assert.ok(APP_ENGINE_FLEX_TOP_LEVEL_KEYS.has(key), `unknown app.yaml key: ${key}`);
  });

  it('is a custom-runtime flex app built from the Dockerfile', () => {
    assert.equal(app.runtime, 'custom');
    assert.equal(app.env, 'flex');
  });

  it('turns session affinity on (best effort, never relied on)', () => {
    assert.equal(app.network?.session_affinity, true);
  });

  it('checks liveness on /healthz and readiness on /readyz with sane timings', () => {
    assert.equal(app.liveness_check?.path, '/healthz');
    assert.equal(app.readiness_check?.path, '/readyz');
    for (const check of [app.liveness_check, app.readiness_check]) {
      assert.ok(check.timeout_sec < check.check_interval_sec, 'a check must time out before the next one starts');
      assert.ok(check.failure_threshold >= 2, 'one slow answer must not fail an instance');
    }
    assert.ok(app.readiness_check.app_start_timeout_sec >= 60);
  });

  it('scales automatically on CPU with at least 2 instances', () => {
    assert.ok(app.automatic_scaling?.min_num_instances >= 2);
    assert.ok(app.automatic_scaling.max_num_instances >= app.automatic_scaling.min_num_instances);
    const target = app.automatic_scaling.cpu_utilization?.target_utilization;
    assert.ok(target > 0 && target < 1, 'cpu target must be a fraction');
    assert.ok(app.resources?.cpu >= 1 && app.resources?.memory_gb >= 1);
  });

  it('sets REDIS_URL and the forwarding mode as strings, with a fill-in note for Redis', () => {
    const vars = app.env_variables;
    assert.equal(typeof vars.REDIS_URL, 'string');
    assert.match(vars.REDIS_URL, /^redis:\/\//u);
    assert.ok(['direct', 'redis'].includes(vars.FORWARD_MODE));
    assert.match(readFileSync('app.yaml', 'utf8'), /FILL IN[^\n]*Memorystore/u);
    for (const value of Object.values(vars))
      assert.equal(typeof value, 'string', 'App Engine env values must be strings');
  });
});

describe('service.yaml (Cloud Run)', () => {
  const svc = read('service.yaml');
  const template = svc.spec?.template;
  const container = template?.spec?.containers?.[0];

  it('is a Knative serving Service', () => {
    assert.equal(svc.apiVersion, 'serving.knative.dev/v1');
    assert.equal(svc.kind, 'Service');
    assert.deepEqual(Object.keys(svc).sort(), ['apiVersion', 'kind', 'metadata', 'spec']);
  });

  it('lets WebSockets live the full hour and holds many per instance', () => {
    assert.equal(template.spec.timeoutSeconds, 3600);
    assert.ok(template.spec.containerConcurrency >= 50 && template.spec.containerConcurrency <= 1000);
  });

  it('forwards over Redis, since Cloud Run instances cannot dial each other', () => {
    const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    assert.equal(env.FORWARD_MODE, 'redis');
    assert.match(env.REDIS_URL, /^redis:\/\//u);
  });

  it('keeps CPU allocated between requests (rooms tick on their own)', () => {
    assert.equal(template.metadata.annotations['run.googleapis.com/cpu-throttling'], 'false');
  });

  it('probes the real routes on the container port', () => {
    assert.equal(container.ports[0].containerPort, 8080);
    assert.equal(container.startupProbe.httpGet.path, '/readyz');
    assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  });

  it('runs the Managed Service for Prometheus sidecar as Google documents it, started after the server', () => {
    const containers = template.spec.containers as Array<{ name: string; image: string; ports?: unknown[] }>;
    assert.equal(containers.length, 2);
    const collector = containers.find((c) => c.name === 'collector');
    assert.ok(collector, 'a container named collector');
    assert.match(
      collector.image,
      /^us-docker\.pkg\.dev\/cloud-ops-agents-artifacts\/cloud-run-gmp-sidecar\/cloud-run-gmp-sidecar:\d+\.\d+\.\d+$/u,
    );
    assert.equal(collector.ports, undefined, 'only the server takes requests');
    const dependencies = JSON.parse(
      template.metadata.annotations['run.googleapis.com/container-dependencies'] as string,
    ) as Record<string, string[]>;
    assert.deepEqual(dependencies, { collector: [container.name] });
    // Its default configuration scrapes GET /metrics on port 8080, unauthenticated.
    const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    assert.equal(container.ports[0].containerPort, 8080);
    assert.equal(env.METRICS_TOKEN, undefined, 'the sidecar sends no token');
    assert.notEqual(env.METRICS_ENABLED, 'false');
  });

  it('names the project so request logs carry their trace', () => {
    const env = Object.fromEntries((container.env as { name: string; value: string }[]).map((e) => [e.name, e.value]));
    assert.equal(typeof env.GOOGLE_CLOUD_PROJECT, 'string');
    assert.match(readFileSync('service.yaml', 'utf8'), /FILL IN[^\n]*project id/u);
  });
});

describe('Dockerfile', () => {
  const stages = parseDockerfile('Dockerfile');
  const runtime = stages.at(-1)!;

  it('builds on the official Node 22 image in two stages', () => {
    assert.equal(stages.length, 2);
    for (const stage of stages) assert.match(stage.image, /^node:22[-.\w]*$/u);
  });

  it('runs as a non-root user in production mode on port 8080 (App Engine flex)', () => {
    const ops = runtime.instructions;
    assert.ok(ops.some((i) => i.op === 'USER' && i.args !== 'root' && i.args !== '0'));
    const env = Object.assign({}, ...ops.filter((i) => i.op === 'ENV').map((i) => parseEnv(i.args))) as Record<
      string,
      string
    >;
    assert.equal(env.NODE_ENV, 'production');
    assert.equal(env.PORT, '8080');
    assert.ok(ops.some((i) => i.op === 'EXPOSE' && i.args === '8080'));
  });

  it('installs only production dependencies in the runtime stage', () => {
    const runs = runtime.instructions.filter((i) => i.op === 'RUN').map((i) => i.args);
    assert.ok(runs.some((r) => /npm ci\b.*--omit=dev/u.test(r)));
  });

  it('keeps build inputs and secrets out of the image context', () => {
    const ignored = readFileSync('.dockerignore', 'utf8')
      .split('\n')
      .map((l) => l.trim());
    for (const entry of ['node_modules', '.git', 'dist'])
      assert.ok(ignored.includes(entry), `.dockerignore misses ${entry}`);
  });
});
