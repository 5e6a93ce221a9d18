/**
 * What the tests on a cluster share: a Redis, instances on it behind the test
 * nginx, and for the browser tests headless Chromium, started before a
 * suite's tests and stopped after them. Pages opened through the browser
 * fixture are fresh browser contexts that have shown the lobby, and their
 * uncaught errors are collected for the suite's last check.
 */
import { after, before } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { launchChromium, openGamePage } from '../../harness/browser.ts';
import {
  startInstances,
  startNginx,
  startRedis,
  stopAll,
  type Balancing,
  type ForwardMode,
  type Instance,
  type Nginx,
  type RedisServer,
} from '../../harness/cluster.ts';

export interface Cluster {
  readonly redis: RedisServer;
  readonly instances: Instance[];
  /** The load balancer: the address players open. */
  readonly nginx: Nginx;
}

export interface ClusterOptions {
  /** How instances reach each other's rooms; default `direct`. */
  mode?: ForwardMode;
  /** One instance each. */
  names: string[];
  /** Added to every instance's environment. */
  env?: Record<string, string>;
  /** Default `round-robin`. */
  balancing?: Balancing;
  /** Runs after the suite's tests, before anything stops (leave rooms while their servers still answer). */
  beforeStop?(): Promise<void>;
}

type Started<T> = { -readonly [K in keyof T]?: T[K] };

/** A field of a fixture, once its before hook has set it. */
function need<T, K extends keyof T>(started: Started<T>, key: K): NonNullable<T[K]> {
  const value = started[key];
  if (value === undefined || value === null)
    throw new Error(`no ${String(key)}: the fixture's before hook has not run`);
  return value as NonNullable<T[K]>;
}

/**
 * Call in a `describe`: starts the cluster before its tests and stops it
 * after them. The fields are set once the before hook has run, so read them
 * in tests and hooks, not while the suite is being defined.
 */
export function useCluster(options: ClusterOptions): Cluster {
  const started: Started<Cluster> = {};
  before(async () => {
    started.redis = await startRedis();
    started.instances = await startInstances(started.redis, options.mode ?? 'direct', options.names, options.env);
    started.nginx = await startNginx(
      started.instances.map((i) => i.port),
      options.balancing,
    );
  });
  after(async () => {
    await options.beforeStop?.();
    await started.nginx?.stop();
    await stopAll();
  });
  return {
    get redis() {
      return need(started, 'redis');
    },
    get instances() {
      return need(started, 'instances');
    },
    get nginx() {
      return need(started, 'nginx');
    },
  };
}

export interface BrowserCluster extends Cluster {
  readonly browser: Browser;
  /** Uncaught errors of the pages opened through {@link open}, each prefixed by its page's label. */
  readonly pageErrors: string[];
  /** Open `url` (the load balancer when absent) as `label` and wait for the lobby. */
  open(label: string, url?: string): Promise<Page>;
}

/** {@link useCluster} (`direct` mode, round robin) with Chromium for real pages; it closes before the cluster stops. */
export function useBrowserCluster(names: string[], env: Record<string, string> = {}): BrowserCluster {
  const pageErrors: string[] = [];
  const started: { browser?: Browser } = {};
  const cluster = useCluster({ names, env, beforeStop: async () => started.browser?.close() });
  before(async () => {
    started.browser = await launchChromium();
  });
  const browser = (): Browser => need(started, 'browser');
  return {
    get redis() {
      return cluster.redis;
    },
    get instances() {
      return cluster.instances;
    },
    get nginx() {
      return cluster.nginx;
    },
    get browser() {
      return browser();
    },
    pageErrors,
    open: (label, url) => openGamePage(browser(), label, url ?? cluster.nginx.url, { errors: pageErrors }),
  };
}
