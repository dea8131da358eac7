import { existsSync, readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

/** One compile error, with its file relative to the system and its line. */
export interface CompileError {
  file: string;
  line: number;
  message: string;
}

/**
 * Type-checks every service of a generated system in one in-memory TypeScript program, with the
 * compiler options of the services' strict tsconfig (read from the first service; the generator
 * writes the same one for all). Much faster than `tsc` per service: files below node_modules and
 * TypeScript's lib files are parsed once per checker and reused in every later check, and the
 * previous program is handed to the next one so TypeScript reuses what did not change.
 *
 * The system's folder must have node_modules (installed, or a link to an installed system's).
 */
export class SystemCompiler {
  private readonly cache = new Map<string, ts.SourceFile>();
  private previous: ts.Program | undefined;

  /** Compile errors of every `.ts` file under `services/<context>/{src,test}`; empty when all compile. */
  check(systemDir: string): CompileError[] {
    return this.compile(systemDir, false);
  }

  /**
   * As `check`, and writes each module's JavaScript beside it (`src/service.js` by `src/service.ts`),
   * so that the services' tests can run from their sources' folders.
   */
  emitBeside(systemDir: string): CompileError[] {
    return this.compile(systemDir, true);
  }

  private compile(systemDir: string, emit: boolean): CompileError[] {
    const services = existsSync(join(systemDir, 'services')) ? readdirSync(join(systemDir, 'services')).filter((name) => existsSync(join(systemDir, 'services', name, 'tsconfig.json'))) : [];
    const first = services[0];
    if (first === undefined) return [];
    const config = ts.readConfigFile(join(systemDir, 'services', first, 'tsconfig.json'), ts.sys.readFile);
    const { options } = ts.parseJsonConfigFileContent(config.config, ts.sys, join(systemDir, 'services', first));
    options.noEmit = !emit;
    // One program for every service: each one's rootDir is its own folder.
    delete options.rootDir;
    delete options.outDir;
    const rootNames = services.flatMap((name) => ['src', 'test'].flatMap((dir) => tsFiles(join(systemDir, 'services', name, dir))));
    const host = ts.createCompilerHost(options, true);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, language, onError, shouldCreate) => {
      // Only what the generator and the user write changes between checks.
      const stable = fileName.includes('/node_modules/') || fileName.startsWith(libDir);
      if (!stable) return getSourceFile(fileName, language, onError, shouldCreate);
      let file = this.cache.get(fileName);
      if (!file) {
        file = getSourceFile(fileName, language, onError, shouldCreate);
        if (file) this.cache.set(fileName, file);
      }
      return file;
    };
    const program = ts.createProgram({ rootNames, options, host, oldProgram: this.previous });
    this.previous = program;
    const diagnostics = [...ts.getPreEmitDiagnostics(program), ...(emit ? program.emit().diagnostics : [])];
    return diagnostics.map((diagnostic) => {
      const file = diagnostic.file;
      const line = file && diagnostic.start !== undefined ? file.getLineAndCharacterOfPosition(diagnostic.start).line + 1 : 0;
      return { file: file ? relative(systemDir, file.fileName) : '', line, message: ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n') };
    });
  }
}

const libDir = ts.getDefaultLibFilePath({}).replace(/[^/\\]*$/, '');

function tsFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { recursive: true, encoding: 'utf8' })
    .filter((name) => name.endsWith('.ts'))
    .map((name) => join(dir, name));
}
