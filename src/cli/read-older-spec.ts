import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { resolve } from 'node:path';
import { KitError } from '../errors.js';

/** An older spec to compare with, and the proto number record that went with it when known. */
export interface OlderSpec {
  /** How messages name it: `HEAD:kit.yaml`, `main:kit.yaml`, or the file as given. */
  label: string;
  text: string;
  /** `.kit/proto-numbers.json` of the same revision, when it has one. */
  protoNumbers?: string;
}

/**
 * The spec `against` names: a file when one exists at that path (from the current folder; unless
 * `file` is false, for the default revision),
 * otherwise a git revision of the repository around `root`, whose `kit.yaml` (the one at `root`,
 * wherever the system sits in the repository) is read with `git show`. Every way this can fail
 * is a usage error with a hint: no git, no repository, no commit yet, an unknown revision, a
 * revision without the spec.
 */
export function readOlderSpec(root: string, against: string, options: { file?: boolean } = {}): OlderSpec {
  const file = resolve(against);
  if (options.file !== false && existsSync(file) && statSync(file).isFile()) return { label: against, text: readFileSync(file, 'utf8') };
  const compareWithFile = 'or compare with a file: create-kit-service diff --against <older kit.yaml>';
  if (against.startsWith('-')) {
    throw new KitError('USAGE', `"${against}" is neither a file nor a git revision`, { hint: `name a commit, branch or tag, ${compareWithFile}` });
  }
  const git = (args: string[]) => spawnSync('git', args, { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const inside = git(['rev-parse', '--is-inside-work-tree']);
  if (inside.error) {
    throw new KitError('USAGE', `git is needed to read kit.yaml at ${against}, but it could not be run (${inside.error.message})`, { hint: `install git, ${compareWithFile}` });
  }
  if (inside.status !== 0 || inside.stdout.trim() !== 'true') {
    throw new KitError('USAGE', `${root} is not in a git repository, so there is no ${against} to compare kit.yaml with`, {
      hint: `commit the system first (git init && git add -A && git commit), ${compareWithFile}`,
    });
  }
  const commit = git(['rev-parse', '--verify', '--quiet', `${against}^{commit}`]);
  if (commit.status !== 0) {
    const noCommits = git(['rev-parse', '--verify', '--quiet', 'HEAD']).status !== 0;
    if (noCommits) {
      throw new KitError('USAGE', `this repository has no commits yet, so there is no ${against} to compare kit.yaml with`, {
        hint: `commit kit.yaml first (git add -A && git commit), ${compareWithFile}`,
      });
    }
    throw new KitError('USAGE', `"${against}" is neither a file nor a git revision of this repository`, { hint: `name a commit, branch or tag (git log shows them), ${compareWithFile}` });
  }
  // `<rev>:./path` is relative to the folder git runs in: the system's, wherever it sits in the repository.
  const spec = git(['show', `${against}:./kit.yaml`]);
  if (spec.status !== 0) {
    throw new KitError('USAGE', `${against} has no kit.yaml in this folder`, { hint: `compare with a revision that has the spec (git log -- kit.yaml lists them), ${compareWithFile}` });
  }
  const numbers = git(['show', `${against}:./.kit/proto-numbers.json`]);
  return { label: `${against}:kit.yaml`, text: spec.stdout, protoNumbers: numbers.status === 0 ? numbers.stdout : undefined };
}
