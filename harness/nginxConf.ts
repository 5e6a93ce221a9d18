/**
 * nginx as the stand-in load balancer in front of game server instances, as
 * its config file: WebSocket upgrades passed through, long read and send
 * timeouts, and a choice of how an instance is picked. Used by the harness's
 * `startNginx` (tests, benches) and by `npm run cluster`.
 */

/**
 * How the stand-in load balancer picks an instance: `round-robin` (no
 * affinity, the worst case), or `cookie`: by the client's `arena_affinity`
 * cookie (consistent hash; a request without one goes anywhere), as App
 * Engine's and Cloud Run's session affinity keep a browser on one instance;
 * or `random` (no affinity, as most cloud load balancers spread requests).
 */
export type Balancing = 'round-robin' | 'cookie' | 'random';

export interface NginxConfOptions {
  /** nginx's prefix: its pid file, error log and temp files go here. */
  dir: string;
  /** Port nginx listens on (127.0.0.1). */
  port: number;
  /** Ports of the instances (127.0.0.1). */
  upstreamPorts: readonly number[];
  /** Default `round-robin`. */
  balancing?: Balancing;
  /** Where the access log goes, as `request_uri upstream_addr status` lines; none when absent. */
  accessLogPath?: string;
  /** Connections per worker; default 1024. */
  workerConnections?: number;
}

/** The config file's text. */
export function nginxConf(options: NginxConfOptions): string {
  const { dir, port, balancing = 'round-robin' } = options;
  const access = options.accessLogPath
    ? `log_format arena '$request_uri $upstream_addr $status';\n  access_log ${options.accessLogPath} arena;`
    : 'access_log off;';
  const pick =
    balancing === 'cookie' ? '    hash $affinity_key consistent;\n' : balancing === 'random' ? '    random;\n' : '';
  return `daemon off;
worker_processes 1;
# On reload, old workers close their connections at once (see the harness's Nginx.cutAllConnections).
worker_shutdown_timeout 10ms;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections ${options.workerConnections ?? 1024}; }
http {
  ${access}
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  map $http_upgrade $connection_upgrade { default upgrade; '' close; }
  map $cookie_arena_affinity $affinity_key { '' $request_id; default $cookie_arena_affinity; }
  upstream arena {
${pick}${options.upstreamPorts.map((p) => `    server 127.0.0.1:${p};`).join('\n')}
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      proxy_pass http://arena;
      proxy_http_version 1.1;
      proxy_set_header Upgrade $http_upgrade;
      proxy_set_header Connection $connection_upgrade;
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
      proxy_read_timeout 3600s;
      proxy_send_timeout 3600s;
    }
  }
}
`;
}
