import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type * as TypeScript from 'typescript';
import type { FileChange } from '../tree/virtual-tree.js';

/** A place where a service no longer compiles, named by file, line and the symbol it stands in. */
export interface Misfit {
  /** Path relative to the system's root. */
  file: string;
  line: number;
  column: number;
  /** The class member, function or test it is in (`OrderingServiceImpl.getOrder`), or '' at the top level. */
  symbol: string;
  message: string;
}

export interface FitCheck {
  /** Services whose generated declarations lost or changed something, so the user's code may no longer fit. */
  services: string[];
  misfits: Misfit[];
  /** Set when the check could not run: the system's TypeScript is not installed. */
  skipped?: string;
}

/** Generated modules the user's code reads: what a change could take away from it. */
const DECLARING = /^(services\/[^/]+)\/src\/.*\.ts$/;
const INTERFACE = /export interface (\w+) \{\n((?:[\s\S]*?\n)?)\}\n/g;

/**
 * After a generate or add that took something away from the generated code that user code reads
 * (an interface or a field of it, an error class, a client method, a whole module) or changed an
 * interface (a field retyped, or a required one added), type-checks those services with the
 * system's own TypeScript and compiler options, and names every place that no longer compiles: so
 * the user meets it here, with the symbol it is in, and not later as a failed build. Nothing is
 * checked (and TypeScript is not loaded) after a change that only added, which is most of them.
 */
export function findCodeThatNoLongerFits(root: string, changes: readonly FileChange[]): FitCheck {
  const services = [...new Set(changes.filter(mayBreakUserCode).map((change) => DECLARING.exec(change.path)![1]!))].sort();
  if (services.length === 0) return { services, misfits: [] };
  let ts: typeof TypeScript;
  try {
    ts = createRequire(join(root, 'package.json'))('typescript') as typeof TypeScript;
  } catch {
    return { services, misfits: [], skipped: 'TypeScript is not installed in this system (npm install)' };
  }
  const misfits: Misfit[] = [];
  for (const service of services) {
    const config = join(root, service, 'tsconfig.json');
    if (!existsSync(config)) continue;
    const parsed = ts.getParsedCommandLineOfConfigFile(config, { noEmit: true }, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => {} });
    if (!parsed) continue;
    const program = ts.createProgram({ rootNames: parsed.fileNames, options: parsed.options });
    for (const diagnostic of ts.getPreEmitDiagnostics(program)) {
      const file = diagnostic.file;
      if (!file || diagnostic.start === undefined || file.fileName.includes('/node_modules/')) continue;
      const { line, character } = file.getLineAndCharacterOfPosition(diagnostic.start);
      misfits.push({
        file: file.fileName.slice(root.length + 1).split('\\').join('/'),
        line: line + 1,
        column: character + 1,
        symbol: enclosingSymbol(ts, file, diagnostic.start),
        message: ts.flattenDiagnosticMessageText(diagnostic.messageText, ' '),
      });
    }
  }
  return { services, misfits };
}

/** Whether a change of a generated file could take away something the user's code reads. */
function mayBreakUserCode(change: FileChange): boolean {
  if (!DECLARING.test(change.path) || change.kind === 'create') return false;
  if (change.kind === 'delete') return true;
  const after = new Set(change.after!.split('\n'));
  if (change.before!.split('\n').some((line) => !after.has(line))) return true;
  // Only lines added: still a break when they went into an interface that existed (a new required field).
  const interfaces = (text: string) => new Map([...text.matchAll(INTERFACE)].map((match) => [match[1]!, match[2]!]));
  const now = interfaces(change.after!);
  return [...interfaces(change.before!)].some(([name, body]) => now.has(name) && now.get(name) !== body);
}

/** The names of the declarations around a position, outermost first: `Class.method`, `function`, or a test's title. */
function enclosingSymbol(ts: typeof TypeScript, file: TypeScript.SourceFile, position: number): string {
  const names: string[] = [];
  const visit = (node: TypeScript.Node): void => {
    const named = node as TypeScript.Node & { name?: TypeScript.Node };
    const declaration = ts.isClassDeclaration(node) || ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isPropertyDeclaration(node) || ts.isInterfaceDeclaration(node);
    // A variable only names the place at the top level; inside a function, the function does.
    if ((declaration || (ts.isVariableDeclaration(node) && names.length === 0)) && named.name) {
      names.push(named.name.getText(file));
    } else if (ts.isConstructorDeclaration(node)) {
      names.push('constructor');
    } else if (ts.isCallExpression(node) && /^(test|it|describe)\b/.test(node.expression.getText(file)) && node.arguments[0] && ts.isStringLiteral(node.arguments[0])) {
      names.push(`test '${node.arguments[0].text}'`);
    }
    const child = node.getChildren(file).find((candidate) => candidate.getStart(file) <= position && position < candidate.getEnd());
    if (child) visit(child);
  };
  visit(file);
  return names.join('.');
}
