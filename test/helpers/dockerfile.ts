/**
 * A small Dockerfile reader, so the deployment test runs the very steps the
 * Dockerfile declares (there is no Docker engine on the test machines).
 * Supports what our Dockerfile uses: FROM … AS, WORKDIR, COPY [--from], RUN,
 * ENV, USER, EXPOSE, CMD (exec form).
 */
import { readFileSync } from 'node:fs';

export interface Instruction {
  op: string;
  args: string;
}

export interface Stage {
  name: string;
  image: string;
  instructions: Instruction[];
}

/** Split a Dockerfile into stages, joining `\` continuations and dropping comments. */
export function parseDockerfile(path: string): Stage[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const logical: string[] = [];
  let current = '';
  for (const raw of lines) {
    const line = raw.trimEnd();
    if (current === '' && (line.trim().startsWith('#') || line.trim() === '')) continue;
    if (line.endsWith('\\')) {
      current += `${line.slice(0, -1)} `;
      continue;
    }
    logical.push((current + line).trim());
    current = '';
  }
  const stages: Stage[] = [];
  for (const entry of logical) {
    const space = entry.indexOf(' ');
    const op = entry.slice(0, space).toUpperCase();
    const args = entry.slice(space + 1).trim();
    if (op === 'FROM') {
      const match = /^(\S+)(?:\s+AS\s+(\S+))?$/iu.exec(args);
      if (!match) throw new Error(`unsupported FROM: ${args}`);
      stages.push({ image: match[1]!, name: match[2] ?? String(stages.length), instructions: [] });
      continue;
    }
    if (stages.length === 0) throw new Error(`${op} before FROM`);
    stages.at(-1)!.instructions.push({ op, args });
  }
  return stages;
}

/** `ENV A=1 B=2` (with optional quotes) as a record. */
export function parseEnv(args: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const match of args.matchAll(/(\w+)=("([^"]*)"|\S+)/gu)) out[match[1]!] = match[3] ?? match[2]!;
  return out;
}
