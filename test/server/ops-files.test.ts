/**
 * The ops/ folder: the Grafana dashboard and the Prometheus alert rules and
 * scrape job load (valid JSON / YAML of the right shape), and every
 * expression in them names a metric the server really exports: the app is
 * booted and its `/metrics` and `/metrics/cluster` are read.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parse } from 'yaml';
import { parsePrometheusText } from '../../common/prometheus.ts';
import { bootTestApp, type TestApp } from '../helpers/app.ts';

interface Rule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Array<{ refId: string; expr: string }>;
}

const PROMQL_WORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);

/** The metric names a PromQL expression selects (functions, keywords, label names and ranges left out). */
export function metricNamesIn(expr: string): string[] {
  let e = expr.replace(/"(?:[^"\\]|\\.)*"/gu, '""');
  e = e.replace(/\{[^}]*\}/gu, '').replace(/\[[^\]]*\]/gu, '');
  e = e.replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/gu, '');
  const names: string[] = [];
  for (const m of e.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/gu)) {
    if (m[2] !== undefined || PROMQL_WORDS.has(m[1]!.toLowerCase())) continue;
    names.push(m[1]!);
  }
  return names;
}

function assertBalanced(expr: string): void {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  const stack: string[] = [];
  for (const ch of expr.replace(/"(?:[^"\\]|\\.)*"/gu, '')) {
    if ('([{'.includes(ch)) stack.push(ch);
    else if (ch in pairs) assert.equal(stack.pop(), pairs[ch], `unbalanced ${ch} in ${expr}`);
  }
  assert.equal(stack.length, 0, `unclosed bracket in ${expr}`);
}

const DURATION = /^\d+(ms|s|m|h|d|w|y)$/u;

const alerts = parse(readFileSync('ops/alerts.yml', 'utf8')) as { groups: Array<{ name: string; rules: Rule[] }> };
const dashboard = JSON.parse(readFileSync('ops/grafana-dashboard.json', 'utf8')) as {
  uid: string;
  title: string;
  panels: Panel[];
  __inputs: unknown[];
};
const scrapeJob = parse(readFileSync('ops/prometheus-scrape.yml', 'utf8')) as {
  scrape_configs: Array<{
    job_name: string;
    honor_labels: boolean;
    metrics_path: string;
    static_configs: Array<{ targets: string[] }>;
  }>;
  rule_files: string[];
};

const alertExprs = alerts.groups.flatMap((g) => g.rules.map((r) => ({ where: `${g.name}/${r.alert}`, expr: r.expr })));
const panelExprs = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ where: `panel "${p.title}"`, expr: t.expr })),
);

describe('metricNamesIn', () => {
  it('finds selectors and nothing else', () => {
    assert.deepEqual(
      metricNamesIn(
        'histogram_quantile(0.99, sum by (instance, le) (rate(arena_tick_duration_seconds_bucket{job="x"}[5m]))) > 0.5 * max by (instance) (arena_tick_budget_seconds)',
      ),
      ['arena_tick_duration_seconds_bucket', 'arena_tick_budget_seconds'],
    );
    assert.deepEqual(metricNamesIn('absent(up) or count(a:b) unless on (instance) c'), ['up', 'a:b', 'c']);
  });
});

describe('ops/alerts.yml', () => {
  it('is a Prometheus rule file: named groups of alerts with an expression, a severity and a summary', () => {
    assert.ok(alerts.groups.length >= 2);
    for (const group of alerts.groups) {
      assert.match(group.name, /^[\w-]+$/u);
      assert.ok(group.rules.length > 0);
      for (const rule of group.rules) {
        assert.match(rule.alert ?? '', /^[A-Z][A-Za-z0-9]+$/u);
        assert.equal(typeof rule.expr, 'string');
        assertBalanced(rule.expr);
        if (rule.for !== undefined) assert.match(rule.for, DURATION);
        assert.ok(['warning', 'critical'].includes(rule.labels?.severity ?? ''), `${rule.alert} has a severity`);
        assert.ok((rule.annotations?.summary ?? '').length > 0, `${rule.alert} has a summary`);
      }
    }
  });

  it('covers tick budget, event-loop lag, forwarding failures, instance count and players per instance in each group', () => {
    for (const group of alerts.groups) {
      const names = new Set(group.rules.map((r) => r.alert));
      for (const alert of [
        'ArenaTickNearBudget',
        'ArenaTickOverBudget',
        'ArenaEventLoopLag',
        'ArenaForwardingFailures',
        'ArenaInstancesTooFew',
        'ArenaPlayersPerInstanceHigh',
      ]) {
        assert.ok(names.has(alert), `${group.name} has ${alert}`);
      }
    }
  });
});

describe('ops/grafana-dashboard.json', () => {
  it('is an importable dashboard: uid, title, a Prometheus datasource input, panels on the 24-column grid', () => {
    assert.equal(dashboard.uid, 'arena-cluster');
    assert.ok(dashboard.title.length > 0);
    assert.equal(dashboard.__inputs.length, 1);
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    for (const p of dashboard.panels) {
      assert.ok(
        p.gridPos.x >= 0 && p.gridPos.w > 0 && p.gridPos.x + p.gridPos.w <= 24,
        `panel "${p.title}" fits the grid`,
      );
      if (p.type === 'row') continue;
      assert.ok((p.targets ?? []).length > 0, `panel "${p.title}" queries something`);
      for (const t of p.targets!) assertBalanced(t.expr);
    }
  });

  it('shows players, tick against budget, event-loop lag, forwarding and heap per instance', () => {
    const all = panelExprs.map((p) => p.expr).join('\n');
    for (const name of [
      'arena_cluster_ccu',
      'arena_cluster_tick_p99_seconds',
      'arena_cluster_tick_budget_seconds',
      'arena_cluster_event_loop_lag_p99_seconds',
      'arena_cluster_forwarded_share',
      'arena_cluster_forwarded_connections_failed_total',
      'arena_cluster_heap_used_bytes',
      'arena_cluster_instances',
    ]) {
      assert.ok(all.includes(name), `the dashboard shows ${name}`);
    }
  });
});

describe('ops/prometheus-scrape.yml', () => {
  it('scrapes /metrics/cluster through the load balancer, keeping the server-set instance label, with the alert rules', () => {
    const [job] = scrapeJob.scrape_configs;
    assert.equal(job!.metrics_path, '/metrics/cluster');
    assert.equal(job!.honor_labels, true);
    assert.equal(job!.static_configs[0]!.targets.length, 1);
    assert.deepEqual(scrapeJob.rule_files, ['alerts.yml']);
    assert.ok(existsSync('ops/alerts.yml'));
  });
});

describe('every ops expression names a metric the server exports', () => {
  let t: TestApp;
  const exported = new Set<string>();

  before(async () => {
    t = await bootTestApp();
    for (const path of ['/metrics', '/metrics/cluster']) {
      const res = await fetch(`${t.url}${path}`);
      assert.equal(res.status, 200);
      for (const family of parsePrometheusText(await res.text()).values()) {
        exported.add(family.name);
        for (const sample of family.samples) exported.add(sample.name);
        if (family.type === 'histogram')
          for (const suffix of ['_bucket', '_sum', '_count']) exported.add(`${family.name}${suffix}`);
      }
    }
  });
  after(async () => {
    await t.colyseus.shutdown();
  });

  it('in the alert rules and the dashboard', () => {
    assert.ok(alertExprs.length > 0 && panelExprs.length > 0);
    for (const { where, expr } of [...alertExprs, ...panelExprs]) {
      const names = metricNamesIn(expr);
      assert.ok(names.length > 0, `${where}: no metric in ${expr}`);
      for (const name of names) assert.ok(exported.has(name), `${where}: ${name} is not exported by the server`);
    }
  });
});
