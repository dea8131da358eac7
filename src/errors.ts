/** Where in a file a problem sits; line and column are 1-based, as editors show them. */
export interface SourceLocation {
  file: string;
  line: number;
  col: number;
}

/** Stable codes so that the CLI (and tests) can tell kinds of failure apart without parsing text. */
export type KitErrorCode =
  | 'INVALID_SPEC'
  | 'INVALID_INPUT'
  | 'FILE_NOT_FOUND'
  | 'TARGET_NOT_EMPTY'
  | 'USAGE'
  | 'NOT_IMPLEMENTED'
  | 'OUTSIDE_TARGET'
  | 'COMMAND_FAILED';

/**
 * The one error type of the project: a code, a message, and optionally where it happened and how to
 * fix it. Only the CLI turns it into text and an exit code.
 */
export class KitError extends Error {
  readonly code: KitErrorCode;
  readonly location?: SourceLocation;
  readonly hint?: string;
  /** Every problem behind this error, when it stands for several (an invalid spec). */
  readonly problems: readonly Problem[];

  constructor(
    code: KitErrorCode,
    message: string,
    options: { location?: SourceLocation; hint?: string; problems?: readonly Problem[]; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'KitError';
    this.code = code;
    this.location = options.location;
    this.hint = options.hint;
    this.problems = options.problems ?? [];
  }
}

/** One finding of the validator. Warnings are printed but do not make a spec invalid. */
export interface Problem {
  severity: 'error' | 'warning';
  message: string;
  hint: string;
  location: SourceLocation;
}

/** `file:line:col: message` — the format compilers use, so terminals and editors link it. */
export function formatLocation(location: SourceLocation): string {
  return `${location.file}:${location.line}:${location.col}`;
}
