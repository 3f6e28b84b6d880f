// Collecting diagnostics with their positions. Validation never stops at the first problem: every
// check reports here and carries on, so one `ipsecgw check` run shows everything to fix.

import type { LineCounter } from 'yaml';
import type { Diagnostic, Severity } from './types.js';

/** Something with a position in the source: a YAML node (its range) or a plain offset. */
export type Where = number | { readonly range?: readonly [number, number, number] | null } | null | undefined;

export class Reporter {
  readonly diagnostics: Diagnostic[] = [];

  constructor(readonly file: string, private readonly lines: LineCounter) {}

  /** Reports at `where`, `offset` UTF-16 units into it (a token inside a scalar). */
  error(where: Where, message: string, offset = 0): void {
    this.report('error', where, message, offset);
  }

  warn(where: Where, message: string, offset = 0): void {
    this.report('warning', where, message, offset);
  }

  /** The 1-based line of a node, for messages that refer to another place in the file. */
  lineOf(where: Where): number {
    const start = typeof where === 'number' ? where : where?.range?.[0] ?? 0;
    return Math.max(this.lines.linePos(start).line, 1);
  }

  get failed(): boolean {
    return this.diagnostics.some((d) => d.severity === 'error');
  }

  private report(severity: Severity, where: Where, message: string, offset: number): void {
    const start = typeof where === 'number' ? where : where?.range?.[0] ?? 0;
    const pos = this.lines.linePos(start + offset);
    // linePos counts from the first newline it has seen; a file without one is all line 1.
    this.diagnostics.push({ file: this.file, line: Math.max(pos.line, 1), col: Math.max(pos.col, 1), severity, message });
  }
}

/** `FILE:LINE:COL: message`, or `FILE:LINE:COL: warning: message`, as compilers print them. */
export function formatDiagnostic(d: Diagnostic): string {
  return `${d.file}:${d.line}:${d.col}: ${d.severity === 'warning' ? 'warning: ' : ''}${d.message}`;
}

/**
 * File order, as compilers print them, so a reader walks the file once: by line, then column;
 * at one position errors before warnings; otherwise in the order they were found (sort is stable).
 */
export function sortDiagnostics(list: readonly Diagnostic[]): Diagnostic[] {
  const rank = (d: Diagnostic) => (d.severity === 'error' ? 0 : 1);
  return [...list].sort((a, b) => a.line - b.line || a.col - b.col || rank(a) - rank(b));
}
